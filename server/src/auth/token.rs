//! Session tokens: JWTs signed with HS256 (pinned: no other algorithm is
//! accepted), with `exp`, `iss`, `aud` and `sub` all required. The `ver`
//! claim is the user's token version at issue; a token whose version is
//! older than the stored one was revoked (logout-all, deactivation). The
//! `jti` claim names the session, so signing out ends that one token.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::account::User;
use crate::domain::ids::UserId;

pub const AUDIENCE: &str = "minga";
/// Unsubscribe links are signed with the same key for another audience, so
/// one can never pass for a session, nor a session for one.
pub const UNSUBSCRIBE_AUDIENCE: &str = "minga-unsubscribe";
/// How long a mail's unsubscribe link keeps working.
pub const UNSUBSCRIBE_TTL: Duration = Duration::days(365);

/// What an unsubscribe link says: whose mail of which kind.
#[derive(Debug, Serialize, Deserialize)]
struct UnsubscribeClaims {
    sub: Uuid,
    kind: String,
    exp: i64,
    iss: String,
    aud: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub iss: String,
    pub aud: String,
    pub ver: i64,
    /// Absent in tokens issued before sessions were named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<Uuid>,
}

/// What a valid token says: who, at which token version, which session
/// and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: UserId,
    pub version: i64,
    pub session: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    unsubscribe: Validation,
    issuer: String,
    ttl: Duration,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("issuer", &self.issuer).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl Tokens {
    pub fn new(secret: &[u8], issuer: &str, ttl: Duration) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let mut unsubscribe = validation.clone();
        unsubscribe.set_audience(&[UNSUBSCRIBE_AUDIENCE]);
        Ok(Self {
            unsubscribe,
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            issuer: issuer.to_owned(),
            ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user: &User, now: DateTime<Utc>) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user.id.0,
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            ver: user.token_version,
            jti: Some(Uuid::now_v7()),
        };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// `None` for anything that is not a valid, unexpired token of ours.
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some(TokenSubject {
            user_id: UserId(data.claims.sub),
            version: data.claims.ver,
            session: data.claims.jti,
            expires_at: DateTime::from_timestamp(data.claims.exp, 0)?,
        })
    }
}

impl Tokens {
    /// The token of a one-click unsubscribe link for `user`'s mails of `kind`.
    pub fn issue_unsubscribe(&self, user: UserId, kind: &str, now: DateTime<Utc>) -> String {
        let claims = UnsubscribeClaims {
            sub: user.0,
            kind: kind.to_owned(),
            exp: (now + UNSUBSCRIBE_TTL).timestamp(),
            iss: self.issuer.clone(),
            aud: UNSUBSCRIBE_AUDIENCE.to_owned(),
        };
        // Signing plain claims with an HMAC key cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).unwrap_or_default()
    }

    /// Whose mails of which kind a valid unsubscribe token stands for.
    pub fn verify_unsubscribe(&self, token: &str) -> Option<(UserId, String)> {
        let data = jsonwebtoken::decode::<UnsubscribeClaims>(token, &self.decoding, &self.unsubscribe).ok()?;
        Some((UserId(data.claims.sub), data.claims.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::{OrganizationKind, Role};
    use crate::domain::fixtures;
    use base64::Engine;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn user() -> User {
        User { token_version: 3, ..fixtures::user(Role::Delegate, OrganizationKind::Member) }
    }

    fn tokens() -> Tokens {
        Tokens::new(SECRET, "http://localhost:8080", Duration::hours(1)).expect("keys")
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn a_token_round_trips_with_its_version_and_a_session_of_its_own() {
        let user = user();
        let now = Utc::now();
        let token = tokens().issue(&user, now).expect("issue");
        let subject = tokens().verify(&token).expect("valid");
        assert_eq!((subject.user_id, subject.version), (user.id, 3));
        assert_eq!(subject.expires_at.timestamp(), (now + Duration::hours(1)).timestamp());
        let other = tokens().verify(&tokens().issue(&user, now).expect("issue")).expect("valid");
        assert!(subject.session.is_some() && subject.session != other.session, "each sign-in is its own session");
    }

    #[test]
    fn an_unsubscribe_token_is_no_session_and_a_session_no_unsubscribe_token() {
        let user = user();
        let now = Utc::now();
        let link = tokens().issue_unsubscribe(user.id, "ballot.opened", now);
        assert_eq!(tokens().verify_unsubscribe(&link), Some((user.id, "ballot.opened".to_owned())));
        assert_eq!(tokens().verify(&link), None, "not a session");
        let session = tokens().issue(&user, now).expect("issue");
        assert_eq!(tokens().verify_unsubscribe(&session), None, "not an unsubscribe link");
        let other = Tokens::new(b"another secret, also 32 bytes lo", "http://localhost:8080", Duration::hours(1))
            .expect("keys");
        assert_eq!(other.verify_unsubscribe(&link), None, "signed by another key");
        let mut forged = link.clone();
        forged.pop();
        assert_eq!(tokens().verify_unsubscribe(&forged), None);
    }

    #[test]
    fn expired_foreign_and_misaddressed_tokens_are_refused() {
        let user = user();
        let expired = tokens().issue(&user, Utc::now() - Duration::hours(2)).expect("issue");
        assert_eq!(tokens().verify(&expired), None);
        let other_key =
            Tokens::new(b"another secret of at least 32 bytes!", "http://localhost:8080", Duration::hours(1))
                .expect("keys")
                .issue(&user, Utc::now())
                .expect("issue");
        assert_eq!(tokens().verify(&other_key), None);
        let other_issuer = Tokens::new(SECRET, "https://elsewhere.example", Duration::hours(1))
            .expect("keys")
            .issue(&user, Utc::now())
            .expect("issue");
        assert_eq!(tokens().verify(&other_issuer), None);
    }

    #[test]
    fn alg_none_and_missing_claims_are_refused() {
        let now = Utc::now().timestamp();
        let claims = format!(
            r#"{{"sub":"{}","exp":{},"iat":{now},"iss":"http://localhost:8080","aud":"minga","ver":0}}"#,
            user().id,
            now + 3600
        );
        let unsigned = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), b64(claims.as_bytes()));
        assert_eq!(tokens().verify(&unsigned), None);

        let no_audience = Claims {
            sub: user().id.0,
            exp: now + 3600,
            iat: now,
            iss: "x".into(),
            aud: String::new(),
            ver: 0,
            jti: None,
        };
        let mut json = serde_json::to_value(&no_audience).expect("json");
        json.as_object_mut().expect("object").remove("aud");
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &json,
            &EncodingKey::from_secret(SECRET).expect("key"),
        )
        .expect("encode");
        assert_eq!(tokens().verify(&token), None);
    }
}
