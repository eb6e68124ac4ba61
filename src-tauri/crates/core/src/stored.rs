//! Reading what the store holds back into domain types (shared by profiles,
//! assignment and devices, so none of them needs another's module).

use depot_domain::profile::ProfileSpec;
use depot_store::profiles::ProfileVersionRow;

use crate::{CoreError, Result};

/// The `depot.profile/v1` file a version was saved with.
pub(crate) fn stored_spec(version: &ProfileVersionRow) -> Result<ProfileSpec> {
    ProfileSpec::from_profile_file(&version.spec).map_err(|e| CoreError::InvalidInput {
        field: "profile",
        message: format!("version {} could not be read: {e}", version.version),
    })
}
