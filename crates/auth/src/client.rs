//! Who the client is: the connection's peer address, or, behind a trusted reverse proxy
//! (nginx), the address that proxy names in `X-Forwarded-For`.
//!
//! Only the proxies listed in [`crate::AuthConfig::trusted_proxies`] are believed: anyone else
//! can write any `X-Forwarded-For` they like, and believing them would let one client pose as
//! as many addresses as it wants (and dodge the failed-login limit).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use actix_web::http::header::HeaderMap;

/// The header a reverse proxy appends the client's address to.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// An address or network (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`) whose `X-Forwarded-For` is
/// believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    net: IpAddr,
    prefix: u8,
}

/// A `--trusted-proxy` entry that is not an address or a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an IP address or network (expected e.g. 127.0.0.1, 10.0.0.0/8 or ::1)")]
pub struct BadProxy(
    /// The text given.
    pub String,
);

impl FromStr for TrustedProxy {
    type Err = BadProxy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadProxy(text.to_owned());
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, bits)) => (addr, Some(bits.parse::<u8>().map_err(|_| bad())?)),
            None => (text.trim(), None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let full = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(full);
        if prefix > full {
            return Err(bad());
        }
        Ok(Self {
            net: mask(net, prefix),
            prefix,
        })
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = if self.net.is_ipv4() { 32 } else { 128 };
        if self.prefix == full {
            write!(f, "{}", self.net)
        } else {
            write!(f, "{}/{}", self.net, self.prefix)
        }
    }
}

impl TrustedProxy {
    /// Is `ip` this address, or inside this network?
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        ip.is_ipv4() == self.net.is_ipv4() && mask(ip, self.prefix) == self.net
    }
}

/// `ip` with all but its first `prefix` bits cleared.
fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let kept = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & kept).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let kept = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & kept).into())
        }
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, a dual-stack socket's view of an IPv4
/// client) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key failed logins are counted under: the address itself for IPv4, its /64 network for
/// IPv6 (one home or office gets a whole /64 and can pick any address inside it).
pub(crate) fn limiter_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        v6 @ IpAddr::V6(_) => mask(v6, 64),
        v4 => v4,
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
/// `X-Forwarded-For` entries are walked from the right (the nearest hop) past every trusted
/// proxy; the first address not trusted is the client. An entry that is not an address stops
/// the walk (the hop that wrote it is the nearest thing known).
pub(crate) fn client_addr(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted: &[TrustedProxy],
) -> IpAddr {
    let mut client = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| canonical(p.ip()));
    if trusted.is_empty() {
        return client;
    }
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(client) {
        return client;
    }
    // Several headers are one list, in order.
    let hops: Vec<&str> = headers
        .get_all(FORWARDED_FOR)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.iter().rev() {
        if !is_trusted(client) {
            break;
        }
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => client = canonical(ip),
            Err(_) => break,
        }
    }
    client
}

/// `ip` as text, as `IpAddr`'s `Display` writes it. Every request carries its client's
/// address in [`crate::Access`], and the formatting machinery made that a visible share of a
/// `/healthz` request's CPU; IPv4 (every LAN client) is written by hand.
pub(crate) fn ip_text(ip: IpAddr) -> String {
    let IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut out = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if octet >= 100 {
            out.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            out.push(char::from(b'0' + octet / 10 % 10));
        }
        out.push(char::from(b'0' + octet % 10));
    }
    out
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().map(|p| p.parse().expect("a proxy")).collect()
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(
                HeaderName::from_static(FORWARDED_FOR),
                HeaderValue::from_str(v).expect("a header value"),
            );
        }
        map
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().expect("an address"), 40000))
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn proxies_parse_as_addresses_or_networks_and_junk_is_refused() {
        assert_eq!(proxies(&["10.1.2.3/8"])[0].to_string(), "10.0.0.0/8");
        assert_eq!(proxies(&["::1"])[0].to_string(), "::1");
        assert!(proxies(&["10.0.0.0/8"])[0].contains(ip("10.200.0.1")));
        assert!(proxies(&["10.0.0.0/8"])[0].contains(ip("::ffff:10.0.0.1")));
        assert!(!proxies(&["10.0.0.0/8"])[0].contains(ip("11.0.0.1")));
        for bad in ["nginx", "10.0.0.0/33", "::1/200", "10.0.0.1/x", ""] {
            assert!(bad.parse::<TrustedProxy>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
        let forged = headers(&["203.0.113.9"]);
        assert_eq!(
            client_addr(peer("192.168.1.7"), &forged, &[]),
            ip("192.168.1.7")
        );
        let trusted = proxies(&["127.0.0.1"]);
        assert_eq!(
            client_addr(peer("192.168.1.7"), &forged, &trusted),
            ip("192.168.1.7")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_hop() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        // The client forged the first entry; nginx appended the real one.
        let h = headers(&["1.2.3.4, 192.168.1.50", "10.0.0.2"]);
        assert_eq!(
            client_addr(peer("127.0.0.1"), &h, &trusted),
            ip("192.168.1.50")
        );
        assert_eq!(
            client_addr(peer("127.0.0.1"), &headers(&["junk"]), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_addr(peer("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_bit_network() {
        assert_eq!(
            limiter_key(ip("2001:db8:1:2:aaaa::1")),
            limiter_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limiter_key(ip("2001:db8:1:2::1")),
            limiter_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limiter_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        assert_eq!(limiter_key(ip("10.0.0.1")), ip("10.0.0.1"));
    }

    #[test]
    fn ip_text_writes_addresses_as_display_does() {
        for text in [
            "0.0.0.0",
            "127.0.0.1",
            "192.168.1.23",
            "10.0.100.255",
            "::1",
            "fe80::1",
        ] {
            assert_eq!(ip_text(ip(text)), text);
        }
        for n in 0..=255u8 {
            let ip = IpAddr::from([n, 255 - n, n / 2, 7]);
            assert_eq!(ip_text(ip), ip.to_string());
        }
    }
}
