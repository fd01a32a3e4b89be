//! Secrets in files: high-confidence formats only (private keys, AWS key
//! pairs, GitHub/GitLab/Slack/Google/Stripe tokens, signed JWTs, registry
//! credentials in `.npmrc`/`.pypirc`/`.docker/config.json`, `.env` files).
//!
//! Runs on every regular text file below the size cap as the layer streams:
//! an Aho-Corasick pass over the rules' literal prefixes decides whether any
//! regex runs at all, so the cost on a clean file is one linear scan. A hit
//! keeps a redacted excerpt and the sha256 of the value, never the value.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

use super::allow::AllowList;
use super::rules::{self, Rule};
use super::CheckFinding;
use portcullis_layer::View;

use super::inspector::{hits_of, Hit};
use portcullis_model::Digest;
use portcullis_source::TargetSummary;

/// Part of the layer-cache key: change it when a rule changes.
pub(super) const RULES_VERSION: &str = "secrets-1";

/// Bytes looked at to tell text from binary.
const SNIFF_BYTES: usize = 8 << 10;
/// Longest excerpt shown.
const MAX_EXCERPT_CHARS: usize = 120;

/// One content rule: a regex whose group 1 is the secret, and how many of
/// its leading characters are a fixed, public prefix safe to show.
struct Pattern {
    rule: &'static Rule,
    regex: Regex,
    shown_prefix: usize,
}

struct Patterns {
    keywords: AhoCorasick,
    content: Vec<Pattern>,
    aws_id: Regex,
    aws_secret: Regex,
    npmrc: Regex,
    pypirc: Regex,
    docker_auth: Regex,
    dotenv: Regex,
    /// Long token-like runs with a digit: masked in every excerpt.
    token_like: Regex,
}

const KEYWORDS: [&str; 17] = [
    "PRIVATE KEY",
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "hooks.slack.com",
    "AIza",
    "sk_live_",
    "rk_live_",
    "eyJ",
    "aws",
];

fn regex(pattern: &str) -> Regex {
    // The patterns are constants; a bad one is a bug caught by the tests.
    Regex::new(pattern).unwrap_or_else(|e| panic!("secret rule `{pattern}`: {e}"))
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let content = vec![
            Pattern {
                rule: &rules::PRIVATE_KEY,
                regex: regex(r"-----BEGIN[A-Z ]{0,20}PRIVATE KEY(?: BLOCK)?-----\r?\n(?:[A-Za-z-]+: [^\n]*\r?\n)*\r?\n?([A-Za-z0-9+/=]{40,})"),
                shown_prefix: 0,
            },
            Pattern {
                rule: &rules::GITHUB_TOKEN,
                regex: regex(r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b"),
                shown_prefix: 4,
            },
            Pattern {
                rule: &rules::GITLAB_TOKEN,
                regex: regex(r"\b(glpat-[A-Za-z0-9_-]{20})\b"),
                shown_prefix: 6,
            },
            Pattern {
                rule: &rules::SLACK_TOKEN,
                regex: regex(r"\b(xox[baprs]-[A-Za-z0-9]{10,}-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/[A-Za-z0-9]{20,})"),
                shown_prefix: 5,
            },
            Pattern {
                rule: &rules::GOOGLE_API_KEY,
                regex: regex(r"\b(AIza[0-9A-Za-z_-]{35})"),
                shown_prefix: 4,
            },
            Pattern {
                rule: &rules::STRIPE_KEY,
                regex: regex(r"\b((?:sk|rk)_live_[0-9a-zA-Z]{24,})\b"),
                shown_prefix: 8,
            },
            Pattern {
                rule: &rules::JWT,
                regex: regex(r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,})"),
                shown_prefix: 3,
            },
        ];
        Patterns {
            // Leftmost-first lets aho-corasick use its SIMD (Teddy) prefilter;
            // the standard match kind would walk the automaton byte by byte.
            keywords: AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(KEYWORDS)
                .unwrap_or_else(|e| panic!("keywords: {e}")),
            content,
            aws_id: regex(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"),
            aws_secret: regex(r#"(?i)aws.{0,25}?(?:secret|sk).{0,25}?[=:"'\s]+([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#),
            npmrc: regex(r"(?m)^\s*(?://\S*:)?_(?:authToken|auth|password)\s*=\s*(\S{8,})"),
            pypirc: regex(r"(?m)^\s*password\s*[=:]\s*(\S{6,})"),
            docker_auth: regex(r#""auth"\s*:\s*"([A-Za-z0-9+/=]{8,})""#),
            dotenv: regex(r#"(?m)^\s*(?:export\s+)?[A-Za-z0-9_]*(?i:secret|password|passwd|token|api_?key|private_?key|access_?key)[A-Za-z0-9_]*\s*=\s*["']?([^\s"'#$]{8,})"#),
            token_like: regex(r"[A-Za-z0-9/+=_-]*[0-9][A-Za-z0-9/+=_-]*"),
        }
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_dotenv(path: &str) -> bool {
    let name = file_name(path);
    (name == ".env" || name.starts_with(".env."))
        && ![".example", ".sample", ".template", ".dist"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// Values that are obviously not secrets: placeholders and references.
fn is_placeholder(value: &[u8]) -> bool {
    let text = String::from_utf8_lossy(value).to_ascii_lowercase();
    text.starts_with("${")
        || text.starts_with('<')
        || [
            "changeme",
            "change_me",
            "xxxxxxxx",
            "example",
            "placeholder",
            "your_",
            "dummy",
        ]
        .iter()
        .any(|p| text.contains(p))
}

fn line_bounds(bytes: &[u8], at: usize) -> (usize, usize) {
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[at..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| at + i);
    (start, end)
}

/// The line holding `value`, with the value cut to its public prefix and
/// every other long token-like run masked.
fn excerpt(bytes: &[u8], start: usize, end: usize, shown_prefix: usize) -> (u32, String) {
    let (line_start, line_end) = line_bounds(bytes, start);
    let line_number = memchr::memchr_iter(b'\n', &bytes[..start]).count() + 1;
    let mut line = Vec::with_capacity(line_end - line_start);
    line.extend_from_slice(&bytes[line_start..start]);
    let value = &bytes[start..end.min(line_end)];
    line.extend_from_slice(&value[..shown_prefix.min(value.len() / 2)]);
    line.extend_from_slice(b"****");
    if end < line_end {
        line.extend_from_slice(&bytes[end..line_end]);
    }
    let masked = patterns()
        .token_like
        .replace_all(&line, |caps: &regex::bytes::Captures<'_>| {
            let run = &caps[0];
            if run.len() >= 12 {
                b"****".to_vec()
            } else {
                run.to_vec()
            }
        });
    let text: String = String::from_utf8_lossy(&masked)
        .trim()
        .chars()
        .take(MAX_EXCERPT_CHARS)
        .collect();
    (u32::try_from(line_number).unwrap_or(u32::MAX), text)
}

fn hit(rule: &Rule, bytes: &[u8], value: std::ops::Range<usize>, shown_prefix: usize) -> Hit {
    let (line, excerpt) = if rule.id == rules::PRIVATE_KEY.id {
        // Show the BEGIN line, never the key material.
        let header = bytes[..value.start]
            .windows(10)
            .rposition(|w| w == b"-----BEGIN")
            .unwrap_or(value.start);
        let (start, end) = line_bounds(bytes, header);
        let line = memchr::memchr_iter(b'\n', &bytes[..header]).count() + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            String::from_utf8_lossy(&bytes[start..end])
                .trim()
                .to_owned(),
        )
    } else {
        excerpt(bytes, value.start, value.end, shown_prefix)
    };
    Hit {
        rule: rule.id.to_owned(),
        line,
        excerpt,
        value_sha256: Digest::sha256_of(&bytes[value]).hex().to_owned(),
    }
}

fn captures_into(
    rule: &'static Rule,
    regex: &Regex,
    bytes: &[u8],
    shown: usize,
    hits: &mut Vec<Hit>,
) {
    for caps in regex.captures_iter(bytes) {
        if let Some(value) = caps.get(1) {
            if !is_placeholder(value.as_bytes()) {
                hits.push(hit(rule, bytes, value.range(), shown));
            }
        }
    }
}

/// The inspector's scan: every secret in one file.
pub(super) fn scan(path: &str, bytes: &[u8]) -> Vec<Hit> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if memchr::memchr(0, head).is_some() {
        return Vec::new(); // binary
    }
    let patterns = patterns();
    let mut hits = Vec::new();
    let name = file_name(path);
    if name == ".npmrc" {
        captures_into(
            &rules::REGISTRY_CREDENTIALS,
            &patterns.npmrc,
            bytes,
            0,
            &mut hits,
        );
    } else if name == ".pypirc" {
        captures_into(
            &rules::REGISTRY_CREDENTIALS,
            &patterns.pypirc,
            bytes,
            0,
            &mut hits,
        );
    } else if path.ends_with(".docker/config.json") {
        captures_into(
            &rules::REGISTRY_CREDENTIALS,
            &patterns.docker_auth,
            bytes,
            0,
            &mut hits,
        );
    } else if is_dotenv(path) {
        captures_into(&rules::DOTENV, &patterns.dotenv, bytes, 0, &mut hits);
    }
    if !patterns.keywords.is_match(bytes) {
        return hits;
    }
    for pattern in &patterns.content {
        captures_into(
            pattern.rule,
            &pattern.regex,
            bytes,
            pattern.shown_prefix,
            &mut hits,
        );
    }
    // An access key id counts only with its secret key in the same file.
    if let Some(secret) = patterns.aws_secret.captures(bytes).and_then(|c| c.get(1)) {
        if !is_placeholder(secret.as_bytes()) {
            for id in patterns
                .aws_id
                .captures_iter(bytes)
                .filter_map(|c| c.get(1))
            {
                hits.push(hit(&rules::AWS_KEY, bytes, id.range(), 4));
            }
        }
    }
    hits
}

/// Secrets in text that is not a file (an ENV value, a history line):
/// the rule of the first content pattern that matches.
pub(super) fn rule_for_text(text: &str) -> Option<&'static Rule> {
    let patterns = patterns();
    patterns
        .content
        .iter()
        .find(|p| p.regex.is_match(text.as_bytes()))
        .map(|p| p.rule)
}

/// Findings for every hit in every layer, minus the allowed ones.
pub(super) fn findings(
    view: &View,
    target: &TargetSummary,
    allow: &AllowList,
) -> Vec<CheckFinding> {
    let mut found = Vec::new();
    for (notable, layer) in view.sticky_notes() {
        for hit in &hits_of(notable) {
            let Some(rule) = rules::RULES.iter().find(|r| r.id == hit.rule) else {
                continue;
            };
            if allow.allows(rule.id, &notable.path, &hit.value_sha256) {
                continue;
            }
            let label = target.layer_label(*layer);
            let mut message = format!(
                "{} in /{} (line {}, layer {})",
                rule.title, notable.path, hit.line, label
            );
            if !view.still_has(&notable.path, *layer) {
                message.push_str(&format!(
                    "; a later layer deleted or replaced the file, but layer {label} still ships it to everyone who pulls the image"
                ));
            }
            found.push(CheckFinding {
                rule,
                path: Some(notable.path.clone()),
                layer: *layer,
                message,
                excerpt: Some(hit.excerpt.clone()),
                line: Some(hit.line),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(path: &str, text: &str) -> Vec<String> {
        scan(path, text.as_bytes())
            .into_iter()
            .map(|h| h.rule)
            .collect()
    }

    // Test values are assembled at run time so the source holds no secret-shaped literal.
    fn token(prefix: &str, body: &str, len: usize) -> String {
        format!(
            "{prefix}{}",
            body.repeat(len / body.len() + 1).get(..len).unwrap_or("")
        )
    }

    #[test]
    fn each_rule_finds_its_format() {
        let ghp = token("ghp_", "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7", 36);
        assert_eq!(
            rules_of("app/config.yml", &format!("token: {ghp}\n")),
            ["secret/github-token"]
        );
        let glpat = token("glpat-", "Xy9_Zw8-Vu7", 20);
        assert_eq!(
            rules_of("ci.env.sh", &format!("export T={glpat}\n")),
            ["secret/gitlab-token"]
        );
        let google = token("AIza", "Sy0_Ab1-Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St", 35);
        assert_eq!(
            rules_of("web/app.js", &format!("key = \"{google}\"")),
            ["secret/google-api-key"]
        );
        let stripe = token("sk_live_", "4eC39HqLyjWDarjtT1zdp7dc", 24);
        assert_eq!(
            rules_of("srv/pay.py", &format!("STRIPE = '{stripe}'")),
            ["secret/stripe-key"]
        );
        let jwt = format!(
            "{}.{}.{}",
            token("eyJ", "hbGciOiJIUzI1NiJ9", 20),
            token("eyJ", "zdWIiOiIxMjM0NTY3ODkwIn0", 24),
            token("", "SflKxwRJSMeKKF2QT4fwpM", 30)
        );
        assert_eq!(
            rules_of("srv/session", &format!("Authorization: Bearer {jwt}\n")),
            ["secret/jwt"]
        );
        let npmrc = format!(
            "//registry.npmjs.org/:_authToken={}\n",
            token("npm_", "Qw3Er5Ty7Ui9", 36)
        );
        assert_eq!(
            rules_of("root/.npmrc", &npmrc),
            ["secret/package-registry-credentials"]
        );
        assert_eq!(
            rules_of(
                "app/.env",
                "DEBUG=1\nDB_PASSWORD=s3cr3t-Passw0rd\nAPI_URL=https://x\n"
            ),
            ["secret/dotenv"]
        );
        assert!(rules_of("app/.env.example", "DB_PASSWORD=s3cr3t-Passw0rd\n").is_empty());
        let key = format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            token("", "b3BlbnNzaC1rZXktdjEAAAAA", 70)
        );
        let hits = scan("root/.ssh/id_ed25519", key.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].excerpt, "-----BEGIN OPENSSH PRIVATE KEY-----");
    }

    #[test]
    fn look_alikes_are_silent() {
        let public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----\n";
        assert!(rules_of("etc/ssl/pub.pem", public).is_empty());
        assert!(rules_of(
            "docs/keys.md",
            "the header reads -----BEGIN RSA PRIVATE KEY----- and then\n"
        )
        .is_empty());
        // An access key id without its secret is not a finding.
        assert!(rules_of("app/x", &token("AKIA", "QWERTYUIOPASDFGH", 16)).is_empty());
        assert!(rules_of("app/.env", "TOKEN=${TOKEN}\nPASSWORD=changeme123\n").is_empty());
        assert!(rules_of("usr/bin/tool", "\0\0ghp_binary").is_empty());
    }

    #[test]
    fn excerpts_never_hold_the_value() {
        let secret = token("", "wJalrXUtnFEMIK7MDENGbPxRfiCY", 40);
        let id = token("AKIA", "ZQ3RT7UV9WX2YB4C", 16);
        let text = format!("aws_access_key_id = {id}\naws_secret_access_key = {secret}\n");
        let hits = scan("root/.aws/credentials", text.as_bytes());
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].rule, "secret/aws-access-key");
        assert_eq!(hits[0].excerpt, "aws_access_key_id = AKIA****");
        let both = format!("export AWS_ACCESS_KEY_ID={id} AWS_SECRET_ACCESS_KEY={secret}\n");
        for hit in scan("app/run.sh", both.as_bytes()) {
            assert!(
                !hit.excerpt.contains(&secret) && !hit.excerpt.contains(&id[4..]),
                "{}",
                hit.excerpt
            );
        }
    }
}
