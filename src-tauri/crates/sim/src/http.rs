//! HTTP/1.1 plumbing on hyper: an accept loop on 127.0.0.1, one task per
//! connection, and the ability to drop a connection without answering (a
//! fault switch) by abandoning its task.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::model::Shared;
use crate::service::{JSON_CONTENT_TYPE, Reply, Req};

/// Largest request body accepted (assign requests are ~20 KB).
const MAX_BODY: usize = 8 * 1024 * 1024;

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(stream, shared.clone(), stop.clone()));
            }
            _ = stop.changed() => break,
        }
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let kill = Arc::new(Notify::new());
    let kill_for_service = kill.clone();
    let service = service_fn(move |req: Request<Incoming>| {
        let shared = shared.clone();
        let kill = kill_for_service.clone();
        async move { Ok::<_, Infallible>(handle(shared, req, kill).await) }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping `conn` closes the socket with no response written.
        _ = kill.notified() => {}
        _ = stop.changed() => {}
    }
}

/// Whether the `Host` header names the loopback interface (any port). A web
/// page that rebinds its own name to 127.0.0.1 still sends its own name.
fn loopback_host(host: Option<&hyper::header::HeaderValue>) -> bool {
    let Some(host) = host.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    let port_ok = host[name.len()..]
        .strip_prefix(':')
        .is_none_or(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    port_ok && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost") || name == "[::1]")
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(reply.status);
    if !reply
        .headers
        .iter()
        .any(|(name, _)| *name == "Content-Type")
    {
        builder = builder.header("Content-Type", JSON_CONTENT_TYPE);
    }
    for (name, value) in &reply.headers {
        builder = builder.header(*name, value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(reply.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    kill: Arc<Notify>,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return to_response(shared.error(400, "MALFORMED_REQUEST_BODY")),
    };
    if !loopback_host(parts.headers.get(hyper::header::HOST)) {
        return crate::control::refuse(
            403,
            "this simulator answers only requests addressed to 127.0.0.1, localhost or [::1]",
        );
    }
    let req = Req {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    };
    if req.path == "/control" || req.path.starts_with("/control/") {
        return crate::control::handle(&shared, &req);
    }
    if req.path.starts_with("/portal/") {
        return crate::control::portal(&shared, &req);
    }
    if req.path == crate::vpp::PREFIX || req.path.starts_with("/mdm/v2/") {
        return to_response(shared.vpp(&req));
    }
    if crate::business::serves(&req.path) {
        return to_response(shared.business(&req));
    }
    let latency = shared.lock().faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let reply = shared.apple(&req);
    if reply.drop {
        kill.notify_one();
        std::future::pending::<()>().await;
    }
    if reply.hold {
        shared.hold_answer(&req.method, &req.path).await;
    }
    to_response(reply)
}
