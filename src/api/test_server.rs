//! A minimal HTTP/1.1 server on loopback for the client's and the fetch's own unit tests: each
//! request's path and query go to a handler that returns the whole reply, so tests can script
//! faults (statuses, broken bodies, dropped connections) precisely.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub(crate) enum Reply {
    Json {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Announces `announced` bytes of body, sends `body`, then closes the connection.
    Truncated { announced: usize, body: Vec<u8> },
}

impl Reply {
    pub(crate) fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, body)
    }

    pub(crate) fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Json {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Json { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

pub(crate) struct TestServer {
    pub(crate) base_url: String,
    /// Every request's path and query, in arrival order.
    pub(crate) requests: Arc<Mutex<Vec<String>>>,
    /// Every request's Authorization header value.
    pub(crate) auth: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    pub(crate) async fn start<F>(handler: F) -> TestServer
    where
        F: Fn(&str, usize) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let auth = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let (log, auth_log) = (Arc::clone(&requests), Arc::clone(&auth));
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (handler, log, auth_log) = (
                    Arc::clone(&handler),
                    Arc::clone(&log),
                    Arc::clone(&auth_log),
                );
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let target = head.split(' ').nth(1).unwrap_or("").to_owned();
                    let authorization = head
                        .lines()
                        .find_map(|l| {
                            let (name, value) = l.split_once(':')?;
                            name.eq_ignore_ascii_case("authorization")
                                .then(|| value.trim().to_owned())
                        })
                        .unwrap_or_default();
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(target.clone());
                        log.len()
                    };
                    auth_log.lock().unwrap().push(authorization);
                    let reply = handler(&target, n);
                    let bytes = match reply {
                        Reply::Json {
                            status,
                            headers,
                            body,
                        } => {
                            let mut out = format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nx-request-id: req-{n}\r\n",
                                body.len()
                            );
                            for (name, value) in headers {
                                out.push_str(&format!("{name}: {value}\r\n"));
                            }
                            out.push_str("\r\n");
                            let mut bytes = out.into_bytes();
                            bytes.extend_from_slice(&body);
                            bytes
                        }
                        Reply::Truncated { announced, body } => {
                            let mut bytes = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {announced}\r\nx-request-id: req-{n}\r\n\r\n"
                            )
                            .into_bytes();
                            bytes.extend_from_slice(&body);
                            bytes
                        }
                    };
                    let _ = socket.write_all(&bytes).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        TestServer {
            base_url,
            requests,
            auth,
        }
    }

    pub(crate) fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}
