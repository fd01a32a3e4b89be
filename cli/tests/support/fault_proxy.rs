//! A fault-injecting HTTP/1.1 proxy in front of a real registry: each request
//! is forwarded (one per connection) unless `fault` says to answer with a
//! status, cut the body short, or stall mid-body. Every request is recorded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do with one request.
#[derive(Debug, Clone)]
pub(crate) enum Fault {
    Pass,
    /// Answer this status with these headers and body, without asking upstream.
    Status(u16, Vec<(String, String)>, String),
    /// Forward the answer but close the connection after this many body bytes.
    DropAfter(usize),
    /// Forward the headers and half the body, then send nothing more.
    Stall,
}

/// One request the proxy saw: method, path and its `Range` header.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) range: Option<String>,
}

pub(crate) struct FaultProxy {
    pub(crate) address: String,
    pub(crate) seen: Arc<Mutex<Vec<Seen>>>,
}

type Decide = dyn Fn(&Seen, usize) -> Fault + Send + Sync;

impl FaultProxy {
    /// Proxies to `upstream` (`host:port`); `fault` gets the request and how
    /// many earlier requests had the same method and path.
    pub(crate) fn start(
        upstream: &str,
        fault: impl Fn(&Seen, usize) -> Fault + Send + Sync + 'static,
    ) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let fault: Arc<Decide> = Arc::new(fault);
        let (log, upstream) = (seen.clone(), upstream.to_owned());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (log, fault, upstream) = (log.clone(), fault.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, &log, fault.as_ref());
                });
            }
        });
        FaultProxy { address, seen }
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(
    client: TcpStream,
    upstream: &str,
    log: &Mutex<Vec<Seen>>,
    fault: &Decide,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    head.push(request_line.trim_end().to_owned());
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        let line = line.trim_end().to_owned();
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if name == "range" {
            range = line.split_once(':').map(|(_, v)| v.trim().to_owned());
        }
        if name != "connection" {
            head.push(line);
        }
    }
    head.push("Connection: close".to_owned());
    let request = Seen {
        method,
        path,
        range,
    };
    let earlier = {
        let mut log = log.lock().unwrap();
        let earlier = log
            .iter()
            .filter(|s| s.method == request.method && s.path == request.path)
            .count();
        log.push(request.clone());
        earlier
    };
    let mut client = client;
    let decision = fault(&request, earlier);
    if let Fault::Status(code, headers, body) = &decision {
        let mut answer = format!(
            "HTTP/1.1 {code} Fault\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (name, value) in headers {
            answer.push_str(&format!("{name}: {value}\r\n"));
        }
        answer.push_str("\r\n");
        answer.push_str(body);
        return client.write_all(answer.as_bytes());
    }
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(format!("{}\r\n\r\n", head.join("\r\n")).as_bytes())?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer)?;
    let body_at = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |at| at + 4);
    match decision {
        Fault::Pass | Fault::Status(..) => client.write_all(&answer),
        Fault::DropAfter(bytes) => {
            let end = (body_at + bytes).min(answer.len());
            client.write_all(&answer[..end])
        }
        Fault::Stall => {
            let end = body_at + (answer.len() - body_at) / 2;
            client.write_all(&answer[..end])?;
            client.flush()?;
            // Hold the connection open, sending nothing, past any test.
            std::thread::sleep(Duration::from_secs(600));
            Ok(())
        }
    }
}
