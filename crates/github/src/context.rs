//! Where the GitHub calls go, from the variables GitHub Actions sets.

use super::Error;

/// The repository, commit and credentials of one workflow run.
#[derive(Debug, Clone)]
pub struct Context {
    pub token: String,
    /// `https://api.github.com`, a GHES `/api/v3` URL, or a test server.
    pub api_url: String,
    /// `OWNER/REPO`.
    pub repository: String,
    pub sha: String,
    /// `refs/heads/main`, `refs/pull/7/merge`, …
    pub git_ref: String,
}

impl Context {
    /// Reads `GITHUB_TOKEN`, `GITHUB_API_URL`, `GITHUB_REPOSITORY`,
    /// `GITHUB_SHA` and `GITHUB_REF` through `lookup`.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Context, Error> {
        let get = |name: &'static str| {
            lookup(name)
                .filter(|value| !value.is_empty())
                .ok_or(Error::MissingEnv(name))
        };
        let repository = get("GITHUB_REPOSITORY")?;
        let valid = repository.split_once('/').is_some_and(|(owner, repo)| {
            !owner.is_empty() && !repo.is_empty() && !repo.contains('/')
        });
        if !valid {
            return Err(Error::BadRepository(repository));
        }
        Ok(Context {
            token: get("GITHUB_TOKEN")?,
            api_url: lookup("GITHUB_API_URL")
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| "https://api.github.com".to_owned()),
            repository,
            sha: get("GITHUB_SHA")?,
            git_ref: get("GITHUB_REF")?,
        })
    }

    /// The pull request number of a `refs/pull/N/merge` (or `/head`) ref.
    pub fn pull_request(&self) -> Option<u64> {
        let rest = self.git_ref.strip_prefix("refs/pull/")?;
        rest.split('/').next()?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn reads_what_actions_sets() {
        let context = Context::from_env(env(&[
            ("GITHUB_TOKEN", "t"),
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_SHA", "abc"),
            ("GITHUB_REF", "refs/pull/42/merge"),
        ]))
        .expect("complete");
        assert_eq!(context.api_url, "https://api.github.com");
        assert_eq!(context.pull_request(), Some(42));
    }

    #[test]
    fn names_what_is_missing_or_wrong() {
        let missing = Context::from_env(env(&[("GITHUB_REPOSITORY", "acme/app")])).unwrap_err();
        assert!(missing.to_string().contains("GITHUB_TOKEN"), "{missing}");
        let bad = Context::from_env(env(&[("GITHUB_REPOSITORY", "acme")])).unwrap_err();
        assert!(bad.to_string().contains("OWNER/REPO"), "{bad}");
    }
}
