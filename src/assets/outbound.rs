//! The rules every outbound request obeys (api.md "Outbound requests"): only `http`/`https`,
//! and never to loopback, private, link-local (cloud metadata), unspecified or other
//! non-public addresses unless the operator allowlisted the host or network.
//!
//! The check happens where the connection is made: the HTTP client resolves names through
//! [`GuardedResolver`], which drops forbidden addresses, so the client connects only to an
//! address that was checked (a name that resolves differently a second time cannot slip
//! through). Literal IPs skip DNS, so they are checked on the URL, for the first request and
//! for every redirect.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use thiserror::Error;

/// Redirects followed before a request is given up.
const MAX_REDIRECTS: usize = 5;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Error, Clone, PartialEq)]
pub enum OutboundError {
    #[error("\"{0}\" is not a valid URL")]
    BadUrl(String),
    #[error("\"{url}\" is not allowed: only http and https URLs can be fetched")]
    Scheme { url: String },
    #[error(
        "\"{url}\" is not allowed: {} is {why} (an operator can allow it with VARG_ALLOW_HOSTS)",
        target(host, address)
    )]
    Refused {
        url: String,
        host: String,
        address: IpAddr,
        why: &'static str,
    },
    #[error("\"{url}\" redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects { url: String },
    #[error("cannot find the address of {host}: {reason}")]
    Dns { host: String, reason: String },
}

/// `localhost (127.0.0.1)`, or just the address when the URL named it.
fn target(host: &str, address: &IpAddr) -> String {
    if host.trim_matches(|c| c == '[' || c == ']') == address.to_string() {
        address.to_string()
    } else {
        format!("{host} ({address})")
    }
}

/// Hosts and networks that outbound requests may reach despite the address rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboundPolicy {
    hosts: Vec<String>,
    networks: Vec<(IpAddr, u8)>,
}

impl OutboundPolicy {
    /// Parses `VARG_ALLOW_HOSTS`: `,`-separated host names, IPs and CIDRs.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut policy = OutboundPolicy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Some((addr, bits)) = entry.split_once('/') {
                let addr: IpAddr = addr
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse()
                    .map_err(|_| format!("\"{entry}\" in VARG_ALLOW_HOSTS is not a valid CIDR"))?;
                let max = if addr.is_ipv4() { 32 } else { 128 };
                let bits: u8 = bits.parse().ok().filter(|b| *b <= max).ok_or_else(|| {
                    format!("\"{entry}\" in VARG_ALLOW_HOSTS has a bad prefix length")
                })?;
                policy.networks.push((addr, bits));
            } else if let Ok(addr) = entry
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<IpAddr>()
            {
                policy
                    .networks
                    .push((addr, if addr.is_ipv4() { 32 } else { 128 }));
            } else {
                policy
                    .hosts
                    .push(entry.trim_end_matches('.').to_ascii_lowercase());
            }
        }
        Ok(policy)
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    fn address_allowed(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.networks
            .iter()
            .any(|&(net, bits)| in_network(ip, canonical(net), bits))
    }

    /// Whether a request to `host` may connect to `ip`; the reason when it may not.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), &'static str> {
        match restriction(ip) {
            None => Ok(()),
            Some(_) if self.host_allowed(host) || self.address_allowed(ip) => Ok(()),
            Some(why) => Err(why),
        }
    }

    /// Checks a URL before it is requested: its scheme, and its host when that is a literal IP
    /// (names are checked by the resolver, after DNS).
    pub fn check_url(&self, url: &Url) -> Result<(), OutboundError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::Scheme {
                url: url.to_string(),
            });
        }
        let host = url
            .host_str()
            .ok_or_else(|| OutboundError::BadUrl(url.to_string()))?;
        // The URL parser already normalised odd IPv4 spellings (`2130706433`, `0x7f.1`).
        let Ok(ip) = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        else {
            return Ok(());
        };
        self.check(host, ip).map_err(|why| OutboundError::Refused {
            url: url.to_string(),
            host: host.to_string(),
            address: ip,
            why,
        })
    }
}

/// IPv4-mapped IPv6 addresses are their IPv4 address (so `::ffff:127.0.0.1` is loopback).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Why an address is off limits by default, or `None` for a public address.
pub fn restriction(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => restriction_v4(v4),
        IpAddr::V6(v6) => restriction_v6(v6),
    }
}

fn restriction_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_link_local() {
        Some("a link-local address (where cloud metadata services live)")
    } else if ip.is_private() {
        Some("a private network address")
    } else if a == 0 {
        Some("an unspecified address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a shared (carrier-grade NAT) address")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking network address")
    } else if ip.is_multicast() || a >= 240 {
        Some("a multicast or reserved address")
    } else if a == 192 && b == 0 && ip.octets()[2] == 0 {
        Some("an IETF protocol address")
    } else {
        None
    }
}

fn restriction_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("a link-local address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private network address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64 carries an IPv4 address in its last 32 bits: judge that one.
        let [.., c, d] = ip.segments();
        restriction_v4(Ipv4Addr::from((u32::from(c) << 16) | u32::from(d)))
    } else {
        None
    }
}

/// Resolves names for the HTTP client and keeps only the addresses the policy allows.
struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let lookup = host.clone();
            let found: Vec<SocketAddr> =
                tokio::task::spawn_blocking(move || (lookup.as_str(), 0).to_socket_addrs())
                    .await
                    .map_err(|e| boxed(dns_error(&host, e.to_string())))?
                    .map_err(|e| boxed(dns_error(&host, e.to_string())))?
                    .collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match policy.check(&host, addr.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refused.get_or_insert((addr.ip(), why));
                        false
                    }
                })
                .collect();
            match (allowed.is_empty(), refused) {
                (false, _) => Ok(Box::new(allowed.into_iter()) as Addrs),
                (true, Some((address, why))) => Err(boxed(OutboundError::Refused {
                    url: host.clone(),
                    host: host.clone(),
                    address,
                    why,
                })),
                (true, None) => Err(boxed(dns_error(&host, "no address found".into()))),
            }
        })
    }
}

fn dns_error(host: &str, reason: String) -> OutboundError {
    OutboundError::Dns {
        host: host.to_string(),
        reason,
    }
}

fn boxed(e: OutboundError) -> Box<dyn StdError + Send + Sync> {
    Box::new(e)
}

/// An HTTP client that obeys `policy` on every connection and redirect.
pub fn client(policy: Arc<OutboundPolicy>) -> Result<reqwest::Client, String> {
    let redirect_policy = policy.clone();
    reqwest::Client::builder()
        .dns_resolver(GuardedResolver { policy })
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                let url = attempt.url().to_string();
                return attempt.error(OutboundError::TooManyRedirects { url });
            }
            match redirect_policy.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        }))
        // A proxy would resolve names itself, out of the resolver's reach.
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("varg-render/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

/// The policy refusal behind a failed request, if that is why it failed. For a refusal at
/// the resolver, `url` fills in the request's URL (the resolver only knew the host).
pub fn refusal(error: &reqwest::Error, url: &str) -> Option<OutboundError> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(found) = e.downcast_ref::<OutboundError>() {
            let mut found = found.clone();
            if let OutboundError::Refused { url: u, host, .. } = &mut found {
                if u == host {
                    *u = url.to_string();
                }
            }
            return Some(found);
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn restricted_addresses() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(restriction(ip(bad)).is_some(), "{bad} must be restricted");
        }
        for good in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            assert!(restriction(ip(good)).is_none(), "{good} is public");
        }
    }

    #[test]
    fn allowlist_opens_hosts_ips_and_networks() {
        let policy =
            OutboundPolicy::parse(" localhost, 10.0.0.0/8 ,192.168.1.7, [::1]").expect("parse");
        assert!(policy.check("localhost", ip("127.0.0.1")).is_ok());
        assert!(policy.check("LOCALHOST.", ip("127.0.0.1")).is_ok());
        assert!(policy.check("other", ip("127.0.0.1")).is_err());
        assert!(policy.check("x", ip("10.200.3.4")).is_ok());
        assert!(policy.check("x", ip("192.168.1.7")).is_ok());
        assert!(policy.check("x", ip("192.168.1.8")).is_err());
        assert!(policy.check("x", ip("::1")).is_ok());
        assert!(policy.check("x", ip("169.254.169.254")).is_err());
        assert!(OutboundPolicy::parse("10.0.0.0/40").is_err());
        assert!(OutboundPolicy::parse("nonsense/8").is_err());
    }

    #[test]
    fn urls_are_checked_by_scheme_and_literal_address() {
        let policy = OutboundPolicy::default();
        let check = |u: &str| policy.check_url(&Url::parse(u).expect("url"));
        assert!(matches!(
            check("file:///etc/passwd"),
            Err(OutboundError::Scheme { .. })
        ));
        assert!(matches!(
            check("http://169.254.169.254/latest/meta-data"),
            Err(OutboundError::Refused { .. })
        ));
        // The URL parser turns a decimal host into the IPv4 address it means.
        assert!(matches!(
            check("http://2130706433/"),
            Err(OutboundError::Refused { .. })
        ));
        assert!(matches!(
            check("http://[::1]:8080/"),
            Err(OutboundError::Refused { .. })
        ));
        assert!(check("https://example.com/a.png").is_ok());
        let message = check("http://127.0.0.1:9/x.png")
            .expect_err("loopback")
            .to_string();
        assert!(message.contains("loopback"), "{message}");
        assert!(message.contains("VARG_ALLOW_HOSTS"), "{message}");
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_to_loopback() {
        let client = client(Arc::new(OutboundPolicy::default())).expect("client");
        let url = "http://localhost:9/never";
        let err = client.get(url).send().await.expect_err("must be refused");
        let refusal = refusal(&err, url).expect("a policy refusal");
        assert!(
            matches!(refusal, OutboundError::Refused { .. }),
            "{refusal}"
        );
        assert!(refusal.to_string().contains(url), "{refusal}");
    }
}
