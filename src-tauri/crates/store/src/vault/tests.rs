use depot_domain::UnixSeconds;

use super::*;
use crate::Workspace;
use crate::migrations::MIGRATIONS;
use crate::tokens::{Environment, NewToken, PendingKeyRow, SealedSecrets, TokenFacts};

const KEY: [u8; 32] = [7; 32];

fn vault_in_memory(key: [u8; 32]) -> (Workspace, Vault) {
    let ws = Workspace::open_in_memory().unwrap();
    let vault = ws.connect().unwrap().open_vault(&FixedKey(key)).unwrap();
    (ws, vault)
}

fn not_authentic(result: Result<SecretBytes, VaultError>) -> bool {
    matches!(result, Err(VaultError::NotAuthentic { .. }))
}

#[test]
fn a_blob_is_bound_to_its_purpose_token_and_workspace() {
    let (_ws, vault) = vault_in_memory(KEY);
    let one = TokenId::new(1);
    let blob = vault
        .seal(SecretSlot::TokenCredentials(one), b"AS_secret")
        .unwrap();
    assert_eq!(blob[0], FORMAT);
    assert!(!blob.windows(9).any(|w| w == b"AS_secret"));
    assert_eq!(
        vault
            .unseal(SecretSlot::TokenCredentials(one), &blob)
            .unwrap()
            .expose(),
        b"AS_secret"
    );
    // Another column, another token.
    assert!(not_authentic(
        vault.unseal(SecretSlot::TokenPrivateKey(one), &blob)
    ));
    let err = vault
        .unseal(SecretSlot::TokenCredentials(TokenId::new(2)), &blob)
        .unwrap_err();
    assert!(
        err.to_string().contains("credentials of token 2")
            && err
                .to_string()
                .contains("copied here from another token or workspace"),
        "{err}"
    );
    // Another workspace, even one under the same key.
    let (_other_ws, other) = vault_in_memory(KEY);
    assert_ne!(other.workspace_id(), vault.workspace_id());
    assert!(not_authentic(
        other.unseal(SecretSlot::TokenCredentials(one), &blob)
    ));
    // Tampering.
    let mut flipped = blob.clone();
    *flipped.last_mut().unwrap() ^= 1;
    assert!(not_authentic(
        vault.unseal(SecretSlot::TokenCredentials(one), &flipped)
    ));
    let mut unknown = blob;
    unknown[0] = 9;
    assert!(matches!(
        vault.unseal(SecretSlot::TokenCredentials(one), &unknown),
        Err(VaultError::Damaged(_))
    ));
}

#[test]
fn the_same_vault_reopens_and_a_wrong_key_is_named() {
    let ws = Workspace::open_in_memory().unwrap();
    let db = ws.connect().unwrap();
    let first = db.open_vault(&FixedKey([1; 32])).unwrap();
    let again = db.open_vault(&FixedKey([1; 32])).unwrap();
    assert_eq!(first.workspace_id(), again.workspace_id());
    let blob = first.seal(SecretSlot::PendingPrivateKey, b"x").unwrap();
    assert_eq!(
        again
            .unseal(SecretSlot::PendingPrivateKey, &blob)
            .unwrap()
            .expose(),
        b"x"
    );
    let err = db.open_vault(&FixedKey([2; 32])).unwrap_err();
    assert!(
        matches!(err, StoreError::Vault(VaultError::WrongKey)),
        "{err:?}"
    );
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

#[test]
fn a_key_file_is_created_owner_only_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys/workspace.key");
    let ws = Workspace::open_in_memory().unwrap();
    let db = ws.connect().unwrap();
    let vault = db.open_vault(&KeyFile::new(&path)).unwrap();
    assert_eq!(mode(&path), 0o600);
    let file = KeyFile::new(&path);
    let loaded = file.load("any").unwrap().unwrap();
    assert_eq!(loaded, vault.key);
    db.open_vault(&file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = file.load("ws").unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }
}

#[test]
fn a_damaged_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workspace.key");
    write_owner_only(&path, b"not a key").unwrap();
    let err = KeyFile::new(&path).load("ws").unwrap_err();
    assert!(err.to_string().contains("64-hex-digit"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_key_file_behind_a_symbolic_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.key");
    write_key_file(&real, &WorkspaceKey([3; 32])).unwrap();
    assert!(KeyFile::new(&real).load("ws").unwrap().is_some());
    let link = dir.path().join("link.key");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let err = KeyFile::new(&link).load("ws").unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    // Nor is a new key written through a dangling link.
    let dangling = dir.path().join("dangling.key");
    std::os::unix::fs::symlink(dir.path().join("nowhere.key"), &dangling).unwrap();
    let ws = Workspace::open_in_memory().unwrap();
    let err = ws
        .connect()
        .unwrap()
        .open_vault(&KeyFile::new(&dangling))
        .unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(!dir.path().join("nowhere.key").exists());
}

#[cfg(unix)]
#[test]
fn a_key_file_of_another_user_is_refused() {
    assert_eq!(owner_only_problem(1000, 0o100600, 1000), None);
    let other = owner_only_problem(0, 0o100600, 1000).unwrap();
    assert!(other.contains("belongs to another user (uid 0"), "{other}");
    let open = owner_only_problem(1000, 0o100640, 1000).unwrap();
    assert!(open.contains("chmod 600"), "{open}");

    // For real where the test may give a file away (it runs as root).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workspace.key");
    write_key_file(&path, &WorkspaceKey([3; 32])).unwrap();
    if std::os::unix::fs::chown(&path, Some(65_534), None).is_ok()
        && rustix::process::geteuid().as_raw() != 65_534
    {
        let err = KeyFile::new(&path).load("ws").unwrap_err();
        assert!(err.to_string().contains("another user"), "{err}");
    }
}

#[test]
fn an_exported_key_file_is_owner_only_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backup.key");
    let (ws, vault) = vault_in_memory(KEY);
    vault.export_key(&path).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(read_key_file(&path).unwrap(), WorkspaceKey(KEY));
    let before = std::fs::read(&path).unwrap();
    let err = vault.export_key(&path).unwrap_err();
    assert!(err.to_string().contains("never overwrites"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // The backup checks out against the vault; another key does not.
    let db = ws.connect().unwrap();
    assert_eq!(
        db.check_workspace_key(&read_key_file(&path).unwrap())
            .unwrap(),
        vault.workspace_id()
    );
    assert!(matches!(
        db.check_workspace_key(&WorkspaceKey([8; 32])),
        Err(StoreError::Vault(VaultError::WrongKey))
    ));
    let empty = Workspace::open_in_memory().unwrap();
    assert!(matches!(
        empty
            .connect()
            .unwrap()
            .check_workspace_key(&WorkspaceKey(KEY)),
        Err(StoreError::Vault(VaultError::NoVault))
    ));
}

fn pending(private_key: Vec<u8>) -> PendingKeyRow {
    PendingKeyRow {
        private_key,
        certificate_pem: "CERT".into(),
        created_at: UnixSeconds::new(1),
    }
}

#[test]
fn a_missing_key_for_a_vault_with_secrets_is_an_error_that_names_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("workspace.key");
    let ws = Workspace::open(dir.path().join("ws")).unwrap();
    let db = ws.connect().unwrap();
    let keys = KeyFile::new(&key_path);
    let vault = db.open_vault(&keys).unwrap();
    let sealed = vault
        .seal(
            SecretSlot::PendingPrivateKey,
            b"-----BEGIN PRIVATE KEY-----",
        )
        .unwrap();
    db.put_pending_key(&pending(sealed)).unwrap();
    std::fs::remove_file(&key_path).unwrap();

    let err = db.open_vault(&keys).unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::Vault(VaultError::KeyMissing { location }) if location.contains("workspace.key")
        ),
        "{err:?}"
    );
    let message = err.to_string();
    for fix in [
        "depot workspace key import FILE",
        "DEPOT_KEY_FILE",
        "Restore the key",
    ] {
        assert!(message.contains(fix), "{message}");
    }
    assert!(!key_path.exists(), "no new key was made up");
}

#[test]
fn a_vault_without_secrets_starts_over_with_a_new_key() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("workspace.key");
    let ws = Workspace::open_in_memory().unwrap();
    let db = ws.connect().unwrap();
    let first = db.open_vault(&KeyFile::new(&key_path)).unwrap();
    std::fs::remove_file(&key_path).unwrap();
    let second = db.open_vault(&KeyFile::new(&key_path)).unwrap();
    assert_eq!(first.workspace_id(), second.workspace_id());
    assert_ne!(first.key, second.key);
    db.open_vault(&KeyFile::new(&key_path)).unwrap();
}

#[test]
fn a_key_file_holding_another_key_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("workspace.key");
    let file = KeyFile::new(&path);
    file.store("ws", &WorkspaceKey([1; 32])).unwrap();
    file.store("ws", &WorkspaceKey([1; 32])).unwrap();
    let err = file.store("ws", &WorkspaceKey([2; 32])).unwrap_err();
    assert!(err.to_string().contains("different key"), "{err}");
    assert_eq!(file.load("ws").unwrap(), Some(WorkspaceKey([1; 32])));
}

/// A workspace as Depot wrote it before format 2: schema 7, blobs that
/// authenticate only their purpose.
struct LegacyWorkspace {
    dir: tempfile::TempDir,
    tokens: Vec<TokenId>,
}

const LEGACY_KEY: WorkspaceKey = WorkspaceKey([0x5a; 32]);

fn legacy_seal(slot: SecretSlot, plain: &[u8]) -> Vec<u8> {
    seal_with(&LEGACY_KEY, LEGACY_FORMAT, slot.purpose().as_bytes(), plain).unwrap()
}

fn token_facts(name: &str) -> NewToken<'_> {
    NewToken {
        facts: TokenFacts {
            server_name: name,
            server_uuid: name,
            org_name: "Org",
            org_id: None,
            org_type: None,
            admin_id: None,
            expires_at: UnixSeconds::new(100),
        },
        apple_id: "a@example.com",
        apple_url: "https://mdmenrollment.apple.com",
        environment: Environment::Apple,
        scope_tags: &[],
        key_fingerprint: "",
        created_at: UnixSeconds::new(1),
    }
}

fn legacy_workspace(damage_second_token: bool) -> LegacyWorkspace {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open_with(dir.path(), &MIGRATIONS[..7]).unwrap();
    assert_eq!(ws.schema_version(), 7);
    let db = ws.connect().unwrap();
    db.conn
        .execute(
            "INSERT INTO vault (id, workspace_id, key_check) VALUES (1, 'legacy-ws', ?1)",
            [legacy_seal(SecretSlot::KeyCheck, KEY_CHECK_PLAINTEXT)],
        )
        .unwrap();
    let mut tokens = Vec::new();
    for (i, name) in ["East", "West"].into_iter().enumerate() {
        let id = db.insert_token(&token_facts(name)).unwrap();
        let mut credentials = legacy_seal(
            SecretSlot::TokenCredentials(id),
            format!("credentials-{name}").as_bytes(),
        );
        if damage_second_token && i == 1 {
            *credentials.last_mut().unwrap() ^= 1;
        }
        db.put_token_secrets(
            id,
            &SealedSecrets {
                credentials,
                private_key: legacy_seal(
                    SecretSlot::TokenPrivateKey(id),
                    format!("pem-{name}").as_bytes(),
                ),
                certificate_pem: "CERT".into(),
            },
        )
        .unwrap();
        tokens.push(id);
    }
    db.put_pending_key(&pending(legacy_seal(
        SecretSlot::PendingPrivateKey,
        b"pending-pem",
    )))
    .unwrap();
    LegacyWorkspace { dir, tokens }
}

fn blobs(db: &Db) -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = db
        .conn
        .prepare("SELECT credentials, private_key FROM token_secrets ORDER BY token_id")
        .unwrap()
        .query_map([], |r| Ok([r.get(0)?, r.get(1)?]))
        .unwrap()
        .flat_map(|pair| pair.unwrap())
        .collect();
    all.push(db.pending_key().unwrap().unwrap().private_key);
    all.push(db.vault_row().unwrap().unwrap().key_check);
    all
}

#[test]
fn an_old_format_workspace_is_migrated_on_open() {
    let legacy = legacy_workspace(false);
    let ws = Workspace::open(legacy.dir.path()).unwrap();
    let db = ws.connect().unwrap();
    assert_eq!(db.vault_row().unwrap().unwrap().format, LEGACY_FORMAT);
    assert!(blobs(&db).iter().all(|b| b[0] == LEGACY_FORMAT));

    let vault = db.open_vault(&FixedKey(LEGACY_KEY.0)).unwrap();
    assert_eq!(vault.workspace_id(), "legacy-ws");
    assert_eq!(db.vault_row().unwrap().unwrap().format, FORMAT);
    let migrated = blobs(&db);
    assert!(migrated.iter().all(|b| b[0] == FORMAT), "every blob");
    for (id, name) in legacy.tokens.iter().zip(["East", "West"]) {
        let sealed = db.token_secrets(*id).unwrap().unwrap();
        let credentials = vault
            .unseal(SecretSlot::TokenCredentials(*id), &sealed.credentials)
            .unwrap();
        assert_eq!(
            credentials.expose(),
            format!("credentials-{name}").as_bytes()
        );
        let pem = vault
            .unseal(SecretSlot::TokenPrivateKey(*id), &sealed.private_key)
            .unwrap();
        assert_eq!(pem.expose(), format!("pem-{name}").as_bytes());
    }
    // Now bound to its token: East's credentials do not open as West's.
    let east = db.token_secrets(legacy.tokens[0]).unwrap().unwrap();
    assert!(not_authentic(vault.unseal(
        SecretSlot::TokenCredentials(legacy.tokens[1]),
        &east.credentials
    )));
    let pending = db.pending_key().unwrap().unwrap().private_key;
    assert_eq!(
        vault
            .unseal(SecretSlot::PendingPrivateKey, &pending)
            .unwrap()
            .expose(),
        b"pending-pem"
    );

    // Opening again changes nothing; a wrong key is still told apart.
    drop(vault);
    db.open_vault(&FixedKey(LEGACY_KEY.0)).unwrap();
    assert_eq!(blobs(&db), migrated);
    assert!(matches!(
        db.open_vault(&FixedKey([1; 32])),
        Err(StoreError::Vault(VaultError::WrongKey))
    ));
}

#[test]
fn a_migration_that_fails_half_way_changes_nothing() {
    let legacy = legacy_workspace(true);
    let ws = Workspace::open(legacy.dir.path()).unwrap();
    let db = ws.connect().unwrap();
    let before = blobs(&db);
    let err = db.open_vault(&FixedKey(LEGACY_KEY.0)).unwrap_err();
    assert!(
        matches!(&err, StoreError::Vault(VaultError::NotAuthentic { what }) if what.contains("credentials of token")),
        "{err:?}"
    );
    assert_eq!(
        blobs(&db),
        before,
        "the first token's blobs were rolled back"
    );
    assert_eq!(db.vault_row().unwrap().unwrap().format, LEGACY_FORMAT);
}

#[test]
fn keys_never_show_in_debug_output_and_are_wiped_on_drop() {
    fn wiped_on_drop<T: ZeroizeOnDrop>() {}
    wiped_on_drop::<WorkspaceKey>();
    wiped_on_drop::<SecretBytes>();

    let key = WorkspaceKey([9; 32]);
    assert_eq!(format!("{key:?}"), "WorkspaceKey([redacted])");
    let (_ws, vault) = vault_in_memory([0xA7; 32]);
    // The workspace id is random hex, so look for the key's byte patterns
    // rather than short substrings that an id may contain by chance.
    let shown = format!("{vault:?}").to_lowercase();
    for leak in ["a7a7a7a7", "167, 167", "0xa7"] {
        assert!(!shown.contains(leak), "{shown}");
    }
}

#[test]
fn hex_round_trips() {
    let key = WorkspaceKey([0x0f; 32]);
    assert_eq!(key.to_hex().as_str(), "0f".repeat(32));
    assert_eq!(
        WorkspaceKey::from_hex(&format!(" {}\n", "0F".repeat(32))),
        Some(key)
    );
    assert_eq!(WorkspaceKey::from_hex(&"0g".repeat(32)), None);
    assert_eq!(WorkspaceKey::from_hex(&"0".repeat(63)), None);
    assert_eq!(WorkspaceKey::from_hex(&"é".repeat(32)), None);
}
