//! One repository's REST calls: JSON in, JSON out, with the headers GitHub
//! asks for (`Accept: application/vnd.github+json`, the API version, a
//! bearer token and a user agent). A status outside 2xx is an error that
//! carries GitHub's own `message`.
//!
//! API: <https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api>.

use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{ApiError, Context, Error};

/// How long one call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// A client for one repository.
pub struct Client {
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    base: String,
    pub(crate) context: Context,
}

impl Client {
    pub fn new(context: Context) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let bad_url = |why: &'static str| Error::BadApiUrl {
            url: context.api_url.clone(),
            why,
        };
        let base = context.api_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(bad_url("it is not an http:// or https:// URL"));
        }
        let token = HeaderValue::from_str(&format!("Bearer {}", context.token))
            .map_err(|_| Error::BadToken)?;
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, token);
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            HeaderName::from_static("x-github-api-version"),
            HeaderValue::from_static("2022-11-28"),
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("portcullis/", env!("CARGO_PKG_VERSION"))),
        );
        let http = portcullis_source::http::client_builder()
            .default_headers(headers)
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|source| Error::Api {
                what: "set up the GitHub client".to_owned(),
                source: ApiError::Transport(source),
            })?;
        Ok(Client {
            http,
            runtime,
            base,
            context,
        })
    }

    /// `/repos/OWNER/REPO`.
    pub(crate) fn repo_route(&self) -> String {
        format!("/repos/{}", self.context.repository)
    }

    /// `GET route`, its JSON answer read as `R`.
    pub(crate) fn get<R: DeserializeOwned>(&self, route: &str, what: &str) -> Result<R, Error> {
        self.call(Method::GET, route, None::<&()>, what)
    }

    /// `method route` with `body` as JSON, the answer read as `R`.
    pub(crate) fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        route: &str,
        body: &B,
        what: &str,
    ) -> Result<R, Error> {
        self.call(method, route, Some(body), what)
    }

    fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        route: &str,
        body: Option<&B>,
        what: &str,
    ) -> Result<R, Error> {
        let failed = |source| Error::Api {
            what: what.to_owned(),
            source,
        };
        let mut request = self.http.request(method, format!("{}{route}", self.base));
        if let Some(body) = body {
            let json =
                serde_json::to_vec(body).map_err(|source| failed(ApiError::Request(source)))?;
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(json);
        }
        let (status, bytes) = self
            .runtime
            .block_on(async {
                let response = request.send().await?;
                let status = response.status();
                Ok((status, response.bytes().await?))
            })
            .map_err(|source| failed(ApiError::Transport(source)))?;
        if !status.is_success() {
            return Err(failed(ApiError::Status {
                status: status.as_u16(),
                message: github_message(&bytes),
            }));
        }
        serde_json::from_slice(&bytes).map_err(|source| failed(ApiError::Answer(source)))
    }
}

/// GitHub's `message` in an error answer, or the start of the body.
fn github_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Answer {
        message: String,
    }
    let text = match serde_json::from_slice::<Answer>(body) {
        Ok(answer) => answer.message,
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_message_reads_the_message_or_the_start_of_the_body() {
        assert_eq!(
            github_message(br#"{"message":"Bad credentials","documentation_url":"x"}"#),
            "Bad credentials"
        );
        assert_eq!(github_message(b"<html>\n502</html>"), "<html>502</html>");
    }
}
