//! Demo mode without the simulator (a build without the `demo` feature, such
//! as a server): every demo call answers that demo mode is not built in.

use crate::tokens::TokenOverview;
use crate::{CoreError, Depot, Result};

#[derive(Default)]
pub(crate) struct DemoSimulator {
    _private: (),
}

impl DemoSimulator {
    pub(crate) fn url(&self) -> Option<String> {
        None
    }
}

fn not_built_in() -> CoreError {
    CoreError::Simulator(
        "this build of Depot has no demo mode (it was built without the `demo` feature)".into(),
    )
}

impl Depot {
    pub fn simulator_url(&self) -> Option<String> {
        self.demo.url()
    }

    pub(crate) async fn ensure_simulator(&self) -> Result<String> {
        Err(not_built_in())
    }

    pub async fn issue_demo_token(
        &self,
        _for_token: Option<depot_domain::TokenId>,
    ) -> Result<(String, String)> {
        self.workspace_wide("the simulator")?;
        Err(not_built_in())
    }

    pub async fn start_demo(&self) -> Result<TokenOverview> {
        self.workspace_wide("demo mode")?;
        Err(not_built_in())
    }
}
