//! Group policy for TLS 1.3: which groups a client sends key shares for, and
//! which group a server picks from a ClientHello.

use super::kx::KeyExchange;
use crate::proto::wire::enums::NamedGroup;
use crate::proto::wire::extensions::KeyShareEntry;

/// How a client predicts the server's group (its config).
#[derive(Debug, Clone, Default)]
pub(crate) struct SharePrediction {
    /// Shares for exactly these groups (`with_key_shares`); `Some([])` sends
    /// none.
    pub explicit: Option<Vec<NamedGroup>>,
    /// Groups the server is known to support (`with_server_groups_hint`).
    pub server_hint: Vec<NamedGroup>,
}

/// The groups a first ClientHello carries key shares for, in order, given
/// the client's groups (its preference order) and its prediction settings.
///
/// As BoringSSL does: a server hint naming one of our groups wins (one
/// share, for our most preferred group in the hint); then explicitly
/// configured shares; by default our most preferred group plus the first
/// group of the other kind (post-quantum or classical). With the default
/// groups that is X25519MLKEM768 and X25519, so a server with the hybrid
/// uses it and a classical-only one (OpenSSL 3.0, say) takes X25519, and
/// neither needs a HelloRetryRequest.
pub(crate) fn client_shares(groups: &[NamedGroup], p: &SharePrediction) -> Vec<NamedGroup> {
    if let Some(&g) = groups.iter().find(|g| p.server_hint.contains(g)) {
        return vec![g];
    }
    if let Some(e) = &p.explicit {
        return e.clone();
    }
    let Some(&first) = groups.first() else {
        return Vec::new();
    };
    let pq = KeyExchange::post_quantum(first);
    let mut out = vec![first];
    out.extend(
        groups
            .iter()
            .copied()
            .find(|&g| KeyExchange::post_quantum(g) != pq),
    );
    out
}

/// What a TLS 1.3 server does with a ClientHello's groups.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ServerChoice<'a> {
    /// Completes the exchange with this share of the client's.
    Use(&'a KeyShareEntry),
    /// Asks for a share of this group with a HelloRetryRequest.
    Retry(NamedGroup),
}

/// The server's choice, from its groups (preference order), the client's
/// supported_groups and its key shares; `None` when no group is in common.
///
/// Our most preferred group that the client supports, whether or not it
/// sent a share for it: RFC 8446 section 4.2.8 leaves the choice to the
/// server, with the HelloRetryRequest as the way to get the share it
/// prefers. With the default order (X25519MLKEM768 first) a client that
/// supports the hybrid gets it, even at the cost of a retry, so a recorded
/// session stays safe from a future quantum computer; and a client cannot
/// steer us to a group we like less by predicting it (BoGo's
/// SendHelloRetryRequest-2-TLS13 checks this, as BoringSSL's and rustls's
/// servers behave). A client whose prediction is our choice pays no retry.
pub(crate) fn server_choice<'a>(
    ours: &[NamedGroup],
    theirs: &[NamedGroup],
    shares: &'a [KeyShareEntry],
) -> Option<ServerChoice<'a>> {
    let best = ours.iter().copied().find(|g| theirs.contains(g))?;
    Some(match shares.iter().find(|s| s.group == best) {
        Some(s) => ServerChoice::Use(s),
        None => ServerChoice::Retry(best),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use NamedGroup as G;

    const DEFAULTS: &[G] = &[G::X25519MLKEM768, G::X25519, G::secp256r1, G::secp384r1];

    fn share(g: G) -> KeyShareEntry {
        KeyShareEntry {
            group: g,
            payload: vec![1],
        }
    }

    #[test]
    fn client_sends_one_share_of_each_kind() {
        let p = SharePrediction::default();
        assert_eq!(client_shares(DEFAULTS, &p), [G::X25519MLKEM768, G::X25519]);
        // BoringSSL's MLKEMKeyShareIncludedThird: the first of the other kind.
        assert_eq!(
            client_shares(&[G::X25519, G::secp256r1, G::MLKEM1024], &p),
            [G::X25519, G::MLKEM1024]
        );
        assert_eq!(client_shares(&[G::MLKEM1024], &p), [G::MLKEM1024]);
        assert_eq!(
            client_shares(&[G::MLKEM1024, G::X25519MLKEM768], &p),
            [G::MLKEM1024]
        );
        assert_eq!(
            client_shares(&[G::secp256r1, G::X25519], &p),
            [G::secp256r1]
        );
    }

    #[test]
    fn client_hint_then_explicit_shares() {
        let mut p = SharePrediction {
            explicit: Some(vec![G::MLKEM1024]),
            server_hint: vec![G::Unknown(0x1234), G::X25519],
        };
        let ours = [G::MLKEM1024, G::X25519MLKEM768, G::X25519];
        assert_eq!(client_shares(&ours, &p), [G::X25519]);
        p.server_hint = vec![G::secp256r1];
        assert_eq!(client_shares(&ours, &p), [G::MLKEM1024]);
        p.explicit = Some(vec![]);
        assert!(client_shares(&ours, &p).is_empty());
    }

    #[test]
    fn server_prefers_post_quantum_even_at_a_retry() {
        let theirs = [G::X25519, G::X25519MLKEM768];
        let x = [share(G::X25519)];
        assert_eq!(
            server_choice(DEFAULTS, &theirs, &x),
            Some(ServerChoice::Retry(G::X25519MLKEM768))
        );
        let both = [share(G::X25519), share(G::X25519MLKEM768)];
        assert_eq!(
            server_choice(DEFAULTS, &theirs, &both),
            Some(ServerChoice::Use(&both[1]))
        );
    }

    #[test]
    fn server_takes_its_most_preferred_group() {
        // P-256 share, X25519 preferred and supported: a retry for X25519.
        let p = [share(G::secp256r1)];
        assert_eq!(
            server_choice(DEFAULTS, &[G::X25519, G::secp256r1], &p),
            Some(ServerChoice::Retry(G::X25519))
        );
        assert_eq!(
            server_choice(DEFAULTS, &[G::secp256r1], &p),
            Some(ServerChoice::Use(&p[0]))
        );
        let ours = [G::SecP256r1MLKEM768, G::X25519MLKEM768, G::X25519];
        let h = [share(G::X25519MLKEM768)];
        assert_eq!(
            server_choice(&ours, &[G::SecP256r1MLKEM768, G::X25519MLKEM768], &h),
            Some(ServerChoice::Retry(G::SecP256r1MLKEM768))
        );
        assert_eq!(
            server_choice(&ours, &[G::X25519MLKEM768], &h),
            Some(ServerChoice::Use(&h[0]))
        );
        assert_eq!(server_choice(DEFAULTS, &[G::secp521r1], &[]), None);
        assert_eq!(
            server_choice(DEFAULTS, &[G::secp384r1], &[]),
            Some(ServerChoice::Retry(G::secp384r1))
        );
    }
}
