//! Typed identifiers. Services take these, never a bare `i64` or `&str`, so a
//! profile id cannot be passed where a run id belongs.

use std::fmt;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        #[cfg(feature = "sqlite")]
        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.0.into())
            }
        }

        #[cfg(feature = "sqlite")]
        impl rusqlite::types::FromSql for $name {
            fn column_result(
                value: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(value).map(Self)
            }
        }
    };
}

row_id!(
    /// A token's id inside a workspace (the SQLite row id).
    TokenId
);
row_id!(
    /// An enrollment profile's id inside a workspace (stable across its versions).
    ProfileId
);
row_id!(
    /// An assignment run's id (`assignment_runs.id`).
    RunId
);
row_id!(
    /// A sync run's id (`sync_runs.id`).
    SyncRunId
);
row_id!(
    /// An Apps and Books (VPP) token's id inside a workspace.
    VppTokenId
);
