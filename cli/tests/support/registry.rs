//! A real OCI registry for tests: Debian's `docker-registry` on 127.0.0.1 on a
//! free port, stopped when dropped; images pushed with `skopeo`.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct Registry {
    child: Child,
    pub(crate) address: String,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry; with `htpasswd`, it asks for basic auth.
    pub(crate) fn start(htpasswd: Option<&str>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {address}\n",
            dir.path().join("data").display()
        );
        if let Some(htpasswd) = htpasswd {
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, htpasswd).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: portcullis-test\n    path: {}\n",
                file.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry (apt-get install docker-registry)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&address).is_err() {
            assert!(
                Instant::now() < deadline,
                "registry did not start on {address}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Registry {
            child,
            address,
            _dir: dir,
        }
    }

    /// Pushes an OCI layout to `repository:latest` with skopeo.
    pub(crate) fn push(
        &self,
        layout: &Path,
        repository: &str,
        credentials: Option<&str>,
    ) -> String {
        let reference = format!("{}/{repository}:latest", self.address);
        let mut command = Command::new("skopeo");
        command.args([
            "--insecure-policy",
            "copy",
            "--quiet",
            "--dest-tls-verify=false",
        ]);
        if let Some(credentials) = credentials {
            command.args(["--dest-creds", credentials]);
        }
        let status = command
            .arg(format!("oci:{}:latest", layout.display()))
            .arg(format!("docker://{reference}"))
            .status()
            .expect("run skopeo");
        assert!(status.success(), "skopeo copy to {reference} failed");
        reference
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
