//! The command table: every command the UI can call, as `name(Request) -> Response`.

use depot_core::Depot;
use serde_json::Value;

use crate::dto::{Empty, TokenList, WorkspaceInfo};
use crate::{ApiError, ErrorCode};

type Handler = fn(&Depot, Value) -> Result<Value, ApiError>;

/// One row of the command table.
pub struct CommandInfo {
    pub name: &'static str,
    /// TypeScript type names of the request and response.
    pub request_type: fn() -> String,
    pub response_type: fn() -> String,
    /// Writes the request and response TypeScript types (and what they use) into a folder.
    pub export_types: fn(&ts_rs::Config) -> Result<(), ts_rs::ExportError>,
    handler: Handler,
}

macro_rules! command_table {
    ($( $name:literal => $func:ident($req:ty) -> $res:ty; )*) => {
        /// Every command, in the order the bindings list them.
        pub static COMMANDS: &[CommandInfo] = &[$(
            CommandInfo {
                name: $name,
                request_type: || <$req as ts_rs::TS>::name(&ts_rs::Config::new()),
                response_type: || <$res as ts_rs::TS>::name(&ts_rs::Config::new()),
                export_types: |cfg| {
                    <$req as ts_rs::TS>::export_all(cfg)?;
                    <$res as ts_rs::TS>::export_all(cfg)
                },
                handler: |depot, payload| {
                    let request: $req = parse_request($name, payload)?;
                    let response: $res = $func(depot, request)?;
                    serde_json::to_value(response).map_err(|err| {
                        ApiError::new(ErrorCode::Internal, format!("could not encode the answer to {}: {err}", $name))
                    })
                },
            },
        )*];
    };
}

command_table! {
    "workspace.info" => workspace_info(Empty) -> WorkspaceInfo;
    "tokens.list" => tokens_list(Empty) -> TokenList;
}

/// Runs command `name` with a JSON payload and returns its JSON answer.
pub fn dispatch(depot: &Depot, name: &str, payload: Value) -> Result<Value, ApiError> {
    let command = COMMANDS.iter().find(|c| c.name == name).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownCommand,
            format!("there is no command named '{name}'"),
        )
    })?;
    (command.handler)(depot, payload)
}

fn parse_request<T: serde::de::DeserializeOwned>(
    name: &str,
    payload: Value,
) -> Result<T, ApiError> {
    let payload = if payload.is_null() {
        Value::Object(Default::default())
    } else {
        payload
    };
    serde_json::from_value(payload).map_err(|err| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("the request for '{name}' is not valid: {err}"),
        )
    })
}

fn workspace_info(depot: &Depot, _: Empty) -> Result<WorkspaceInfo, ApiError> {
    Ok(depot.workspace_info()?.into())
}

fn tokens_list(depot: &Depot, _: Empty) -> Result<TokenList, ApiError> {
    let tokens = depot.list_tokens()?.into_iter().map(Into::into).collect();
    Ok(TokenList { tokens })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use depot_core::FixedClock;
    use serde_json::json;

    use super::*;

    fn depot() -> Depot {
        Depot::open_in_memory(Arc::new(FixedClock::at(1_700_000_000))).unwrap()
    }

    #[test]
    fn workspace_info_reports_schema_and_counts() {
        let answer = dispatch(&depot(), "workspace.info", json!({})).unwrap();
        assert_eq!(answer["path"], ":memory:");
        assert!(answer["schemaVersion"].as_u64().unwrap() >= 1);
        assert_eq!(
            answer["counts"],
            json!({"tokens": 0, "profiles": 0, "devices": 0, "auditEntries": 0})
        );
    }

    #[test]
    fn tokens_list_starts_empty_and_accepts_a_null_payload() {
        let answer = dispatch(&depot(), "tokens.list", Value::Null).unwrap();
        assert_eq!(answer, json!({"tokens": []}));
    }

    #[test]
    fn unknown_commands_and_bad_payloads_are_coded_errors() {
        let err = dispatch(&depot(), "tokens.explode", json!({})).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownCommand);
        assert!(err.message.contains("tokens.explode"));

        let err = dispatch(&depot(), "tokens.list", json!({"surprise": 1})).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.message.contains("surprise"), "{}", err.message);

        let err = dispatch(&depot(), "tokens.list", json!([1, 2])).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadRequest);
    }

    #[test]
    fn errors_serialize_as_code_and_message() {
        let err = ApiError::new(ErrorCode::SchemaTooNew, "newer");
        assert_eq!(
            serde_json::to_value(&err).unwrap(),
            json!({"code": "SCHEMA_TOO_NEW", "message": "newer"})
        );
    }

    #[test]
    fn command_names_are_unique() {
        let mut names: Vec<_> = COMMANDS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }
}
