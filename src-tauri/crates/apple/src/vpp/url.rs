//! Where an Apps and Books token's service is: Apple's, or — only with the
//! test setting — a simulator. Unlike the ADE base URL it has a path
//! (`/mdm/v2`).

use std::fmt;

use crate::base_url::{AppleHosts, AppleUrlError};

/// Apple's Apps and Books service host.
pub const APPS_HOST: &str = "vpp.itunes.apple.com";
/// Apple's Apps and Books API v2.
pub const DEFAULT_APPS_URL: &str = "https://vpp.itunes.apple.com/mdm/v2";

/// A checked API base (no trailing slash): `https://vpp.itunes.apple.com/mdm/v2`,
/// or `http://127.0.0.1:PORT/mdm/v2` for a simulator.
#[derive(Clone, PartialEq, Eq)]
pub struct AppsUrl {
    text: String,
    apple: bool,
}

impl AppsUrl {
    pub fn apple() -> Self {
        AppsUrl {
            text: DEFAULT_APPS_URL.to_owned(),
            apple: true,
        }
    }

    /// Parses `input`: https (plain http only to a loopback IP address), no
    /// user name, query or fragment; another host than Apple's only with
    /// `AllowTestHosts`. The same errors as the ADE base URL.
    pub fn parse(input: &str, hosts: AppleHosts) -> Result<Self, AppleUrlError> {
        let (text, apple) = crate::base_url::checked_url(input, hosts, APPS_HOST, true)?;
        Ok(AppsUrl { text, apple })
    }

    pub fn is_apple(&self) -> bool {
        self.apple
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for AppsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for AppsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppsUrl({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base_url::AppleHosts::{AllowTestHosts, AppleOnly};

    #[test]
    fn real_tokens_reach_only_apple_and_simulators_need_the_test_setting() {
        let ok = |input: &str, hosts| AppsUrl::parse(input, hosts).map(|u| u.text);
        assert_eq!(
            ok("https://vpp.itunes.apple.com/mdm/v2/", AppleOnly),
            Ok(DEFAULT_APPS_URL.to_owned())
        );
        assert!(
            AppsUrl::parse(DEFAULT_APPS_URL, AppleOnly)
                .unwrap()
                .is_apple()
        );
        assert!(matches!(
            AppsUrl::parse("http://127.0.0.1:9/mdm/v2", AppleOnly),
            Err(AppleUrlError::NotApple(_))
        ));
        assert_eq!(
            ok("http://127.0.0.1:9/mdm/v2", AllowTestHosts),
            Ok("http://127.0.0.1:9/mdm/v2".to_owned())
        );
        for bad in [
            "http://vpp.example.org/mdm/v2",
            "https://user:pw@vpp.itunes.apple.com/mdm/v2",
            "https://vpp.itunes.apple.com/mdm/v2?x=1",
            "not a url",
        ] {
            assert!(AppsUrl::parse(bad, AllowTestHosts).is_err(), "{bad}");
        }
        assert!(
            !AppsUrl::parse("https://vpp.itunes.apple.com:8443/mdm/v2", AllowTestHosts)
                .unwrap()
                .is_apple()
        );
    }
}
