//! Real container engines for tests, each on a private socket and storage
//! root, stopped and removed when dropped, driven with Debian's own clients
//! by path (whatever other `docker` is on the PATH):
//! - Docker: Debian's `dockerd` (package `docker.io`) with the vfs storage
//!   driver and no networking of its own (`--iptables=false --bridge=none`);
//! - Podman: Debian's `podman system service` (package `podman`) with vfs.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Docker,
    Podman,
}

pub(crate) struct Engine {
    pub(crate) kind: Kind,
    child: Child,
    dir: tempfile::TempDir,
}

impl Engine {
    pub(crate) fn start(kind: Kind) -> Engine {
        let needed: &[&str] = match kind {
            Kind::Docker => &["/usr/sbin/dockerd", "/usr/bin/docker"],
            Kind::Podman => &["/usr/bin/podman"],
        };
        for program in needed {
            assert!(
                Path::new(program).is_file(),
                "{program} missing: apt-get install docker.io podman (tests/run.sh does)"
            );
        }
        // Short paths: a Unix socket path must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("pe")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path().to_owned();
        let log = std::fs::File::create(root.join("engine.log")).unwrap();
        let socket = format!("unix://{}", root.join("engine.sock").display());
        let mut command = match kind {
            Kind::Docker => {
                let mut command = Command::new("/usr/sbin/dockerd");
                command
                    .arg("--host")
                    .arg(&socket)
                    .arg("--data-root")
                    .arg(root.join("data"))
                    .arg("--exec-root")
                    .arg(root.join("exec"))
                    .arg("--pidfile")
                    .arg(root.join("dockerd.pid"))
                    .args(["--storage-driver=vfs", "--iptables=false", "--bridge=none"]);
                command
            }
            Kind::Podman => {
                let mut command = podman(&root);
                command.args(["system", "service", "--time", "0", &socket]);
                command
            }
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the engine");
        let engine = Engine { kind, child, dir };
        let deadline = Instant::now() + Duration::from_secs(60);
        while UnixStream::connect(engine.socket()).is_err()
            || !engine.cli(&["version"]).status.success()
        {
            assert!(
                Instant::now() < deadline,
                "{kind:?} did not answer within 60 s: {}",
                std::fs::read_to_string(root.join("engine.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        engine
    }

    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.path().join("engine.sock")
    }

    /// `DOCKER_HOST` or `CONTAINER_HOST` for this engine.
    pub(crate) fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// The variable Portcullis finds this engine's socket in.
    pub(crate) fn host_variable(&self) -> &'static str {
        match self.kind {
            Kind::Docker => "DOCKER_HOST",
            Kind::Podman => "CONTAINER_HOST",
        }
    }

    /// Runs the engine's own client (`docker`, `podman`) against it.
    pub(crate) fn cli(&self, args: &[&str]) -> Output {
        let mut command = match self.kind {
            Kind::Docker => {
                let mut command = Command::new("/usr/bin/docker");
                command
                    .env("DOCKER_HOST", self.host())
                    .env("DOCKER_BUILDKIT", "0")
                    .env("DOCKER_CONFIG", self.dir.path().join("client"));
                command
            }
            Kind::Podman => podman(self.dir.path()),
        };
        command.args(args).output().unwrap()
    }

    /// Like [`Engine::cli`], asserting success.
    pub(crate) fn run(&self, args: &[&str]) -> String {
        let output = self.cli(args);
        assert!(
            output.status.success(),
            "{:?} {args:?}: {}",
            self.kind,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// `build -t TAG CONTEXT` the way this engine builds without a network
    /// or cgroups: Docker's classic builder, Podman's chroot isolation.
    pub(crate) fn build(&self, tag: &str, context: &Path) {
        let context = context.to_str().unwrap();
        match self.kind {
            Kind::Docker => self.run(&["build", "-q", "-t", tag, context]),
            Kind::Podman => self.run(&["build", "-q", "--isolation", "chroot", "-t", tag, context]),
        };
    }

    /// Stops the engine (SIGTERM, then SIGKILL after 20 s) and waits for it.
    pub(crate) fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's `podman` on the private storage under `root` (vfs, no cgroups
/// manager, no event journal).
fn podman(root: &Path) -> Command {
    let mut command = Command::new("/usr/bin/podman");
    command
        .arg("--root")
        .arg(root.join("storage"))
        .arg("--runroot")
        .arg(root.join("run"))
        .args([
            "--storage-driver",
            "vfs",
            "--cgroup-manager",
            "cgroupfs",
            "--events-backend",
            "none",
        ]);
    command
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
    }
}
