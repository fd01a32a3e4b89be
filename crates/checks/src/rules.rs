//! Every rule, with its severity, rationale and fix, and where one exists the
//! CIS Docker Benchmark (v1.6, §4) item or Dockle id it corresponds to.

use portcullis_model::Severity;

/// Hygiene (how the image is built) or a secret (what it carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Hygiene,
    Secret,
}

impl RuleKind {
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Hygiene => "hygiene",
            RuleKind::Secret => "secret",
        }
    }
}

/// One check.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub kind: RuleKind,
    pub title: &'static str,
    pub severity: Severity,
    pub rationale: &'static str,
    pub fix: &'static str,
    /// `CIS-DI-0001` (CIS Docker Benchmark §4.1) or `DKL-DI-0005`.
    pub reference: Option<&'static str>,
}

macro_rules! rule {
    ($name:ident, $id:literal, $kind:ident, $severity:ident, $reference:expr, $title:literal, $rationale:literal, $fix:literal) => {
        pub(crate) static $name: Rule = Rule {
            id: $id,
            kind: RuleKind::$kind,
            title: $title,
            severity: Severity::$severity,
            rationale: $rationale,
            fix: $fix,
            reference: $reference,
        };
    };
}

rule!(ROOT_USER, "hygiene/root-user", Hygiene, High, Some("CIS-DI-0001 (CIS 4.1)"),
    "The image runs as root",
    "A process that breaks out of a container running as root is root on the host's user namespace; most services need no root at all.",
    "Create a user and end the Dockerfile with `USER <name or uid>` (not 0 or root).");
rule!(
    NO_HEALTHCHECK,
    "hygiene/no-healthcheck",
    Hygiene,
    Low,
    Some("CIS-DI-0006 (CIS 4.6)"),
    "The image has no HEALTHCHECK",
    "Without a health check the runtime cannot tell a hung service from a healthy one.",
    "Add `HEALTHCHECK CMD <probe>` to the Dockerfile."
);
rule!(ADD_INSTEAD_OF_COPY, "hygiene/add-instead-of-copy", Hygiene, Low, Some("CIS-DI-0009 (CIS 4.9)"),
    "ADD fetches a URL or unpacks an archive",
    "ADD downloads remote files without checking them and unpacks archives implicitly; COPY does only what it says.",
    "Use COPY for local files, and RUN curl with a checksum check for downloads.");
rule!(SECRET_IN_CONFIG, "hygiene/secret-in-config", Hygiene, High, Some("CIS-DI-0010 (CIS 4.10)"),
    "A secret is set in ENV, ARG or the build history",
    "ENV values and build arguments stay in the image config and history for anyone who pulls the image.",
    "Pass secrets at run time (secrets manager, mounted file) or with `RUN --mount=type=secret` at build time.");
rule!(
    SETUID_FILE,
    "hygiene/setuid-file",
    Hygiene,
    Medium,
    Some("CIS-DI-0008 (CIS 4.8)"),
    "A setuid or setgid file outside the usual ones",
    "setuid and setgid binaries are the usual way from a foothold to root inside a container.",
    "Remove the bit (`chmod u-s,g-s FILE`) or the file, in the same RUN that installs it."
);
rule!(PACKAGE_CACHE, "hygiene/package-cache", Hygiene, Low, Some("DKL-DI-0005"),
    "A package manager's cache was left in the image",
    "apt lists, apk and pip caches add size and stale metadata and serve no purpose at run time.",
    "Clean up in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`.");
rule!(
    SUDO_INSTALLED,
    "hygiene/sudo-installed",
    Hygiene,
    Medium,
    Some("DKL-DI-0001"),
    "sudo is installed",
    "sudo in a container is a privilege escalation path and a sign the image is used as a VM.",
    "Do not install sudo; run what needs root at build time, and USER for the rest."
);
rule!(SSH_SERVER, "hygiene/ssh-server", Hygiene, High, Some("CIS 5.7 (no SSH in containers)"),
    "An SSH server is installed",
    "An SSH server in a container widens the attack surface and bypasses the runtime's access control; use `docker exec` or `kubectl exec`.",
    "Remove openssh-server (or dropbear) from the image.");
rule!(
    PORT_22,
    "hygiene/port-22-exposed",
    Hygiene,
    Medium,
    Some("CIS 5.7 (no SSH in containers)"),
    "Port 22 is exposed",
    "Exposing SSH invites remote logins into the container.",
    "Remove `EXPOSE 22`."
);
rule!(
    WORLD_WRITABLE,
    "hygiene/world-writable",
    Hygiene,
    Medium,
    None,
    "A world-writable file outside /tmp",
    "Any process in the container may rewrite a world-writable file, including code others run.",
    "`chmod o-w FILE` in the RUN that creates it."
);
rule!(
    LATEST_BASE,
    "hygiene/latest-base",
    Hygiene,
    Low,
    Some("DKL-DI-0006"),
    "The base image is referenced as :latest",
    "A :latest base changes under you: the same Dockerfile builds a different image tomorrow.",
    "Pin the base by version and digest: `FROM debian:12.5@sha256:…`."
);

rule!(PRIVATE_KEY, "secret/private-key", Secret, Critical, None,
    "A private key",
    "A private key in an image is available to everyone who can pull it, in every layer that ever held it.",
    "Remove the key from the build context and rotate it; mount keys at run time.");
rule!(AWS_KEY, "secret/aws-access-key", Secret, Critical, None,
    "An AWS access key with its secret",
    "An access key id with its secret key grants that IAM identity's permissions to anyone with the image.",
    "Deactivate and rotate the key in IAM; use instance roles or injected credentials.");
rule!(
    GITHUB_TOKEN,
    "secret/github-token",
    Secret,
    Critical,
    None,
    "A GitHub token",
    "A GitHub token acts as its owner on GitHub.",
    "Revoke the token on GitHub and pass tokens at run time."
);
rule!(
    GITLAB_TOKEN,
    "secret/gitlab-token",
    Secret,
    Critical,
    None,
    "A GitLab personal access token",
    "A GitLab token acts as its owner on GitLab.",
    "Revoke the token in GitLab and pass tokens at run time."
);
rule!(
    SLACK_TOKEN,
    "secret/slack-token",
    Secret,
    High,
    None,
    "A Slack token or webhook",
    "A Slack token or webhook lets anyone post as the app or read its workspace.",
    "Revoke it in Slack's app settings."
);
rule!(
    GOOGLE_API_KEY,
    "secret/google-api-key",
    Secret,
    High,
    None,
    "A Google API key",
    "A Google API key bills and authorises calls against its project.",
    "Delete or restrict the key in the Google Cloud console."
);
rule!(
    STRIPE_KEY,
    "secret/stripe-key",
    Secret,
    Critical,
    None,
    "A live Stripe secret key",
    "A live Stripe key moves money.",
    "Roll the key in the Stripe dashboard."
);
rule!(
    JWT,
    "secret/jwt",
    Secret,
    Medium,
    None,
    "A signed JSON Web Token",
    "A signed token is a bearer credential until it expires.",
    "Remove it; tokens are issued at run time."
);
rule!(
    REGISTRY_CREDENTIALS,
    "secret/package-registry-credentials",
    Secret,
    Critical,
    None,
    "Package or container registry credentials (.npmrc, .pypirc, .docker/config.json)",
    "Registry credentials let anyone publish or pull as their owner.",
    "Remove the file from the image (use build secrets) and rotate the credential."
);
rule!(DOTENV, "secret/dotenv", Secret, High, None,
    "A secret in a .env file",
    ".env files hold the application's secrets; shipped in an image they are readable by anyone who pulls it.",
    "Keep .env files out of the build context (.dockerignore) and inject settings at run time.");

/// Every rule, for reports and documentation.
pub(crate) static RULES: [&Rule; 21] = [
    &ROOT_USER,
    &NO_HEALTHCHECK,
    &ADD_INSTEAD_OF_COPY,
    &SECRET_IN_CONFIG,
    &SETUID_FILE,
    &PACKAGE_CACHE,
    &SUDO_INSTALLED,
    &SSH_SERVER,
    &PORT_22,
    &WORLD_WRITABLE,
    &LATEST_BASE,
    &PRIVATE_KEY,
    &AWS_KEY,
    &GITHUB_TOKEN,
    &GITLAB_TOKEN,
    &SLACK_TOKEN,
    &GOOGLE_API_KEY,
    &STRIPE_KEY,
    &JWT,
    &REGISTRY_CREDENTIALS,
    &DOTENV,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_kinds_match_their_prefix() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for rule in RULES {
            assert!(rule.id.starts_with(rule.kind.name()), "{}", rule.id);
        }
    }
}
