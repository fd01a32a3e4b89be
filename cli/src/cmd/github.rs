//! `portcullis github upload-sarif|comment`: wiring only.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use portcullis_engine::report;
use portcullis_github::{self as github, Client, CommentOutcome, Context, Polling};

use crate::args::{GithubArgs, GithubCommand};
use crate::settings::EnvVar;

pub(crate) fn run(args: &GithubArgs) -> anyhow::Result<ExitCode> {
    let context = Context::from_env(EnvVar::lookup)?;
    match &args.command {
        GithubCommand::UploadSarif {
            file,
            category,
            wait,
            poll_interval,
        } => {
            let client = Client::new(context)?;
            let polling = Polling {
                interval: Duration::try_from_secs_f64(*poll_interval)
                    .context("`--poll-interval` must be a positive number of seconds")?,
                timeout: Duration::from_secs(*wait),
            };
            let outcome = github::upload_sarif(&client, file, category.as_deref(), polling)?;
            tracing::info!("SARIF upload {}: {}", outcome.id, outcome.status);
            report::write_stdout(&format!(
                "uploaded {} as {} ({}){}\n",
                file.display(),
                outcome.id,
                outcome.status,
                outcome
                    .analyses_url
                    .map(|url| format!(": {url}"))
                    .unwrap_or_default()
            ))?;
        }
        GithubCommand::Comment { report, pr } => {
            let number = match pr.or_else(|| context.pull_request()) {
                Some(number) => number,
                None => return Err(github::Error::NotAPullRequest(context.git_ref).into()),
            };
            let summary = fs_err::read_to_string(report)?;
            let client = Client::new(context)?;
            let text = match github::comment(&client, &summary, number)? {
                CommentOutcome::Created(id) => format!("created comment {id} on #{number}\n"),
                CommentOutcome::Updated(id) => format!("updated comment {id} on #{number}\n"),
            };
            report::write_stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
