//! Where a token's Apple service lives, parsed once: Apple's own host, or —
//! only when the caller explicitly allows test hosts — a simulator or another
//! test service. No user name or password in the URL, plain http only to a
//! loopback IP address.

use std::fmt;

/// Apple's production host (spec: "host `mdmenrollment.apple.com`").
pub const APPLE_HOST: &str = "mdmenrollment.apple.com";

/// Which hosts a base URL may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppleHosts {
    /// Only `https://mdmenrollment.apple.com` (real tokens, the default).
    #[default]
    AppleOnly,
    /// Also other https hosts and http to a loopback IP address (tests and
    /// simulators; an explicit test setting turns this on).
    AllowTestHosts,
}

/// Why a base URL was refused. The messages are shown to the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppleUrlError {
    #[error("'{0}' is not a URL (Apple's is {apple})", apple = crate::DEFAULT_BASE_URL)]
    NotAUrl(String),
    #[error(
        "'{0}' names a user or password before '@'; Depot refuses such URLs because the host is what follows the '@'"
    )]
    UserInfo(String),
    #[error(
        "'{0}' is not an https:// URL (plain http is allowed only to a loopback IP address such as 127.0.0.1, for a simulator on this computer)"
    )]
    NotHttps(String),
    #[error("'{0}' has a path, query or fragment; give the base URL only, like {apple}", apple = crate::DEFAULT_BASE_URL)]
    NotABase(String),
    #[error(
        "'{0}' is not Apple's service ({apple}). Tokens from Apple talk only to Apple; another URL is for tests and needs the test setting DEPOT_ALLOW_TEST_APPLE_URL=1",
        apple = crate::DEFAULT_BASE_URL
    )]
    NotApple(String),
}

/// A checked base URL, without a trailing slash (`https://mdmenrollment.apple.com`,
/// `http://127.0.0.1:8080`).
#[derive(Clone, PartialEq, Eq)]
pub struct AppleUrl {
    text: String,
    apple: bool,
}

impl AppleUrl {
    /// Apple's production service.
    pub fn apple() -> Self {
        AppleUrl {
            text: crate::DEFAULT_BASE_URL.to_owned(),
            apple: true,
        }
    }

    /// Parses `input` with the `url` crate and checks it against `hosts`.
    pub fn parse(input: &str, hosts: AppleHosts) -> Result<Self, AppleUrlError> {
        let (text, apple) = checked_url(input, hosts, APPLE_HOST, false)?;
        Ok(AppleUrl { text, apple })
    }

    /// Apple's production service (not a simulator or test host).
    pub fn is_apple(&self) -> bool {
        self.apple
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The checks every Apple service URL gets: a URL, no user name or
/// password, no query or fragment (and no path unless `with_path`), https
/// (plain http only to a loopback IP address), and — unless `hosts` allows
/// test hosts — exactly `apple_host` on its default port. Answers the text
/// without a trailing slash and whether it is Apple's.
pub(crate) fn checked_url(
    input: &str,
    hosts: AppleHosts,
    apple_host: &str,
    with_path: bool,
) -> Result<(String, bool), AppleUrlError> {
    let input = input.trim();
    let url = url::Url::parse(input).map_err(|_| AppleUrlError::NotAUrl(input.to_owned()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppleUrlError::UserInfo(input.to_owned()));
    }
    if url.cannot_be_a_base()
        || (!with_path && !matches!(url.path(), "" | "/"))
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(AppleUrlError::NotABase(input.to_owned()));
    }
    let Some(host) = url.host() else {
        return Err(AppleUrlError::NotAUrl(input.to_owned()));
    };
    let loopback_ip = match host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(_) => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback_ip => {}
        _ => return Err(AppleUrlError::NotHttps(input.to_owned())),
    }
    let apple = url.scheme() == "https"
        && matches!(host, url::Host::Domain(name) if name == apple_host)
        && url.port().is_none();
    if !apple && hosts == AppleHosts::AppleOnly {
        return Err(AppleUrlError::NotApple(input.to_owned()));
    }
    Ok((url.as_str().trim_end_matches('/').to_owned(), apple))
}

impl fmt::Display for AppleUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for AppleUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppleUrl({})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::AppleHosts::{AllowTestHosts, AppleOnly};
    use super::*;

    fn check(input: &str, hosts: AppleHosts, expect: Result<&str, fn(String) -> AppleUrlError>) {
        let got = AppleUrl::parse(input, hosts);
        match expect {
            Ok(text) => assert_eq!(got.map(|u| u.text), Ok(text.to_owned()), "{input}"),
            Err(make) => assert_eq!(got, Err(make(input.trim().to_owned())), "{input}"),
        }
    }

    #[test]
    fn real_tokens_reach_only_apple() {
        check(
            "https://mdmenrollment.apple.com",
            AppleOnly,
            Ok("https://mdmenrollment.apple.com"),
        );
        check(
            " https://MDMENROLLMENT.apple.com:443/ ",
            AppleOnly,
            Ok("https://mdmenrollment.apple.com"),
        );
        assert!(
            AppleUrl::parse("https://mdmenrollment.apple.com", AppleOnly)
                .unwrap()
                .is_apple()
        );
        assert_eq!(AppleUrl::apple().as_str(), crate::DEFAULT_BASE_URL);
        check(
            "https://mdmenrollment.apple.com.evil.example",
            AppleOnly,
            Err(AppleUrlError::NotApple),
        );
        check(
            "https://mdmenrollment.apple.com:8443",
            AppleOnly,
            Err(AppleUrlError::NotApple),
        );
        check(
            "https://evil.example",
            AppleOnly,
            Err(AppleUrlError::NotApple),
        );
        check(
            "http://127.0.0.1:8080",
            AppleOnly,
            Err(AppleUrlError::NotApple),
        );
        check(
            "http://mdmenrollment.apple.com",
            AppleOnly,
            Err(AppleUrlError::NotHttps),
        );
    }

    #[test]
    fn user_info_is_refused_whatever_follows_it() {
        for hosts in [AppleOnly, AllowTestHosts] {
            check(
                "http://localhost:80@evil.example",
                hosts,
                Err(AppleUrlError::UserInfo),
            );
            check(
                "http://127.0.0.1@evil.example",
                hosts,
                Err(AppleUrlError::UserInfo),
            );
            check(
                "https://mdmenrollment.apple.com@evil.example",
                hosts,
                Err(AppleUrlError::UserInfo),
            );
            check(
                "https://user:pw@mdmenrollment.apple.com",
                hosts,
                Err(AppleUrlError::UserInfo),
            );
        }
    }

    #[test]
    fn test_hosts_need_the_setting_and_http_needs_a_loopback_ip() {
        check(
            "http://127.0.0.1:8080/",
            AllowTestHosts,
            Ok("http://127.0.0.1:8080"),
        );
        check(
            "http://127.8.9.10:1",
            AllowTestHosts,
            Ok("http://127.8.9.10:1"),
        );
        check("http://[::1]:9000", AllowTestHosts, Ok("http://[::1]:9000"));
        check(
            "https://sim.example:8443",
            AllowTestHosts,
            Ok("https://sim.example:8443"),
        );
        assert!(
            !AppleUrl::parse("http://127.0.0.1:1", AllowTestHosts)
                .unwrap()
                .is_apple()
        );
        check(
            "http://localhost:8080",
            AllowTestHosts,
            Err(AppleUrlError::NotHttps),
        );
        check(
            "http://evil.example",
            AllowTestHosts,
            Err(AppleUrlError::NotHttps),
        );
        check(
            "http://10.0.0.1",
            AllowTestHosts,
            Err(AppleUrlError::NotHttps),
        );
        check(
            "ftp://127.0.0.1",
            AllowTestHosts,
            Err(AppleUrlError::NotHttps),
        );
        check(
            "http://127.0.0.1:8080/api",
            AllowTestHosts,
            Err(AppleUrlError::NotABase),
        );
        check(
            "https://sim.example/?x=1",
            AllowTestHosts,
            Err(AppleUrlError::NotABase),
        );
        check(
            "mdmenrollment.apple.com",
            AllowTestHosts,
            Err(AppleUrlError::NotAUrl),
        );
        check("", AllowTestHosts, Err(AppleUrlError::NotAUrl));
    }

    #[test]
    fn messages_say_what_to_do() {
        let err = AppleUrl::parse("https://evil.example", AppleOnly).unwrap_err();
        assert!(
            err.to_string().contains("DEPOT_ALLOW_TEST_APPLE_URL=1"),
            "{err}"
        );
        let err = AppleUrl::parse("http://localhost:80@evil.example", AppleOnly).unwrap_err();
        assert!(err.to_string().contains("'@'"), "{err}");
    }
}
