//! Apps and Books (VPP) tokens (migration 0018). The sealed `.vpptoken`
//! content is written and read only through [`Db::set_vpp_secret`] and
//! [`Db::vpp_secret`]; rows handed upwards never carry it.

use depot_domain::records::{LicenceCounts, VppState, VppTokenRow};
use depot_domain::{UnixSeconds, VppTokenId};
use rusqlite::{OptionalExtension, Row, params};

use crate::{Db, Result};

const COLUMNS: &str = "id, name, location_name, location_uid, org_name, apps_url, expires_at,
    state, problem, problem_number, other_mdm, portal_total, portal_assigned, portal_available,
    portal_retired, portal_device_assignable, counts_at, last_sync_at, retry_at, created_at,
    updated_at";

fn row_from(r: &Row<'_>) -> rusqlite::Result<VppTokenRow> {
    let state: String = r.get(7)?;
    let counts_at: Option<UnixSeconds> = r.get(16)?;
    let portal = match (r.get::<_, Option<i64>>(11)?, counts_at) {
        (Some(total), Some(as_of)) => Some(LicenceCounts {
            total: total.unsigned_abs(),
            assigned: r.get::<_, Option<i64>>(12)?.unwrap_or(0).unsigned_abs(),
            available: r.get::<_, Option<i64>>(13)?.unwrap_or(0).unsigned_abs(),
            retired: r.get::<_, Option<i64>>(14)?.unwrap_or(0).unsigned_abs(),
            device_assignable: r.get::<_, Option<bool>>(15)?.unwrap_or(false),
            as_of,
        }),
        _ => None,
    };
    Ok(VppTokenRow {
        id: r.get(0)?,
        name: r.get(1)?,
        location_name: r.get(2)?,
        location_uid: r.get(3)?,
        org_name: r.get(4)?,
        apps_url: r.get(5)?,
        expires_at: r.get(6)?,
        // The table's CHECK allows only the known states.
        state: VppState::parse(&state).unwrap_or(VppState::Failing),
        problem: r.get(8)?,
        problem_number: r.get::<_, Option<u32>>(9)?,
        other_mdm: r.get(10)?,
        portal,
        last_sync_at: r.get(17)?,
        retry_at: r.get(18)?,
        created_at: r.get(19)?,
        updated_at: r.get(20)?,
    })
}

/// A new token's facts, read from its file and from Apple.
#[derive(Debug, Clone)]
pub struct NewVppToken<'a> {
    pub name: &'a str,
    pub location_name: &'a str,
    pub location_uid: &'a str,
    pub org_name: &'a str,
    pub apps_url: &'a str,
    pub expires_at: UnixSeconds,
}

/// What a sync (or a renew) found out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VppStanding {
    pub state: VppState,
    pub problem: Option<String>,
    pub problem_number: Option<u32>,
    pub other_mdm: Option<String>,
    pub retry_at: Option<UnixSeconds>,
}

impl Db {
    /// Inserts a token; its secret follows with [`Db::set_vpp_secret`] in the
    /// same transaction (it is sealed for the new row's id).
    pub fn insert_vpp_token(
        &self,
        token: &NewVppToken<'_>,
        now: UnixSeconds,
    ) -> Result<VppTokenId> {
        self.conn.execute(
            "INSERT INTO vpp_tokens (name, location_name, location_uid, org_name, apps_url, secret,
                                     expires_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, x'', ?6, ?7, ?7)",
            params![
                token.name,
                token.location_name,
                token.location_uid,
                token.org_name,
                token.apps_url,
                token.expires_at,
                now
            ],
        )?;
        Ok(VppTokenId::new(self.conn.last_insert_rowid()))
    }

    pub fn set_vpp_secret(&self, id: VppTokenId, sealed: &[u8]) -> Result<()> {
        self.conn.execute(
            "UPDATE vpp_tokens SET secret = ?2 WHERE id = ?1",
            params![id, sealed],
        )?;
        Ok(())
    }

    pub fn vpp_secret(&self, id: VppTokenId) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT secret FROM vpp_tokens WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every token, by name.
    pub fn vpp_tokens(&self) -> Result<Vec<VppTokenRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM vpp_tokens ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt.query_map([], row_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn vpp_token(&self, id: VppTokenId) -> Result<Option<VppTokenRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM vpp_tokens WHERE id = ?1"),
                [id],
                row_from,
            )
            .optional()?)
    }

    /// The token named `name` (any case).
    pub fn vpp_token_by_name(&self, name: &str) -> Result<Option<VppTokenRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM vpp_tokens WHERE name = ?1 COLLATE NOCASE"),
                [name],
                row_from,
            )
            .optional()?)
    }

    /// The token of the location with Apple's id `uid`.
    pub fn vpp_token_by_location(&self, uid: &str) -> Result<Option<VppTokenRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM vpp_tokens WHERE location_uid = ?1"),
                [uid],
                row_from,
            )
            .optional()?)
    }

    /// A renewed file: new facts and secret, Apple's last verdict cleared.
    pub fn renew_vpp_token(
        &self,
        id: VppTokenId,
        facts: &NewVppToken<'_>,
        sealed: &[u8],
        now: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE vpp_tokens SET location_name = ?2, location_uid = ?3, org_name = ?4,
                    expires_at = ?5, secret = ?6, state = 'ok', problem = NULL,
                    problem_number = NULL, other_mdm = NULL, retry_at = NULL, updated_at = ?7
              WHERE id = ?1",
            params![
                id,
                facts.location_name,
                facts.location_uid,
                facts.org_name,
                facts.expires_at,
                sealed,
                now
            ],
        )?;
        Ok(())
    }

    /// Records Apple's verdict of a sync, and the Company Portal's counts
    /// when the sync read them (`None` keeps the last ones).
    pub fn record_vpp_sync(
        &self,
        id: VppTokenId,
        standing: &VppStanding,
        portal: Option<&LicenceCounts>,
        now: UnixSeconds,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE vpp_tokens SET state = ?2, problem = ?3, problem_number = ?4, other_mdm = ?5,
                    retry_at = ?6, last_sync_at = ?7, updated_at = ?7
              WHERE id = ?1",
            params![
                id,
                standing.state.as_str(),
                standing.problem,
                standing.problem_number,
                standing.other_mdm,
                standing.retry_at,
                now
            ],
        )?;
        if let Some(counts) = portal {
            self.conn.execute(
                "UPDATE vpp_tokens SET portal_total = ?2, portal_assigned = ?3,
                        portal_available = ?4, portal_retired = ?5,
                        portal_device_assignable = ?6, counts_at = ?7
                  WHERE id = ?1",
                params![
                    id,
                    i64::try_from(counts.total).unwrap_or(i64::MAX),
                    i64::try_from(counts.assigned).unwrap_or(i64::MAX),
                    i64::try_from(counts.available).unwrap_or(i64::MAX),
                    i64::try_from(counts.retired).unwrap_or(i64::MAX),
                    counts.device_assignable,
                    counts.as_of
                ],
            )?;
        }
        Ok(())
    }

    /// Forgets the location's Company Portal counts (it has none).
    pub fn clear_vpp_counts(&self, id: VppTokenId) -> Result<()> {
        self.conn.execute(
            "UPDATE vpp_tokens SET portal_total = NULL, portal_assigned = NULL,
                    portal_available = NULL, portal_retired = NULL,
                    portal_device_assignable = NULL, counts_at = NULL
              WHERE id = ?1",
            [id],
        )?;
        Ok(())
    }

    pub fn delete_vpp_token(&self, id: VppTokenId) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM vpp_tokens WHERE id = ?1", [id])?
            == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    fn at(s: i64) -> UnixSeconds {
        UnixSeconds::new(s)
    }

    #[test]
    fn tokens_keep_their_facts_verdicts_and_counts_but_hand_out_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let db = ws.connect().unwrap();
        let facts = NewVppToken {
            name: "HQ",
            location_name: "HQ Apps",
            location_uid: "4100000000000001",
            org_name: "Acme",
            apps_url: "https://vpp.itunes.apple.com/mdm/v2",
            expires_at: at(2_000_000_000),
        };
        let id = db.insert_vpp_token(&facts, at(100)).unwrap();
        db.set_vpp_secret(id, b"sealed").unwrap();
        assert_eq!(db.vpp_secret(id).unwrap().as_deref(), Some(&b"sealed"[..]));
        // One token per location, names unique in any case.
        assert!(
            db.insert_vpp_token(
                &NewVppToken {
                    name: "Other",
                    ..facts.clone()
                },
                at(1)
            )
            .is_err()
        );
        assert!(
            db.insert_vpp_token(
                &NewVppToken {
                    name: "hq",
                    location_uid: "2",
                    ..facts.clone()
                },
                at(1)
            )
            .is_err()
        );
        let row = db.vpp_token_by_name("hq").unwrap().unwrap();
        assert_eq!((row.id, row.state, row.portal), (id, VppState::Ok, None));

        let counts = LicenceCounts {
            total: 100,
            assigned: 40,
            available: 60,
            retired: 0,
            device_assignable: true,
            as_of: at(500),
        };
        let ok = VppStanding {
            state: VppState::Ok,
            problem: None,
            problem_number: None,
            other_mdm: None,
            retry_at: None,
        };
        db.record_vpp_sync(id, &ok, Some(&counts), at(500)).unwrap();
        let revoked = VppStanding {
            state: VppState::Revoked,
            problem: Some("revoked".into()),
            problem_number: Some(9625),
            ..ok.clone()
        };
        db.record_vpp_sync(id, &revoked, None, at(600)).unwrap();
        let row = db.vpp_token(id).unwrap().unwrap();
        assert_eq!(row.state, VppState::Revoked);
        assert_eq!(row.problem_number, Some(9625));
        assert_eq!(row.portal, Some(counts), "the last counts are kept");
        assert_eq!(row.last_sync_at, Some(at(600)));

        db.renew_vpp_token(
            id,
            &NewVppToken {
                expires_at: at(2_100_000_000),
                ..facts.clone()
            },
            b"new",
            at(700),
        )
        .unwrap();
        let row = db
            .vpp_token_by_location("4100000000000001")
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.state, row.problem.clone(), row.expires_at),
            (VppState::Ok, None, at(2_100_000_000))
        );
        db.clear_vpp_counts(id).unwrap();
        assert_eq!(db.vpp_token(id).unwrap().unwrap().portal, None);
        assert_eq!(db.vpp_tokens().unwrap().len(), 1);
        assert!(db.delete_vpp_token(id).unwrap());
        assert!(db.vpp_tokens().unwrap().is_empty());
    }
}
