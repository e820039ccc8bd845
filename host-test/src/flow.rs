//! The order of callbacks in one HTTP context, as Envoy runs them: request headers, body,
//! trailers; then the response callbacks on the upstream's response or on the module's local
//! response; pauses resumed by `proxy_continue_stream` or answered HTTP calls.

use crate::error::Result;
use crate::exchange::{Action, CallAnswers, Callback, ClientResponse, Exchange, UpstreamRequest};
use crate::map::HeaderMap;
use crate::plugin::{Plugin, len32};
use crate::state::{Phase, Stream};
use crate::traffic::{Request, Response};

/// How a step ended.
enum Step {
    Go,
    Local,
    Stalled,
}

pub(crate) struct Run<'a> {
    pub(crate) plugin: &'a mut Plugin,
    pub(crate) id: u32,
    pub(crate) ex: Exchange,
    pub(crate) answers: CallAnswers,
}

impl Run<'_> {
    fn stream(&mut self) -> &mut Stream {
        let abi = &mut self.plugin.store.data_mut().abi;
        abi.stream.get_or_insert_with(Stream::default)
    }

    /// Runs one HTTP callback and decides whether the stream goes on.
    fn step(
        &mut self,
        cb: Callback,
        phase: Phase,
        name: &'static str,
        args: (u32, u32, u32),
        three: bool,
    ) -> Result<Step> {
        let had_local = self.stream().local_response.is_some();
        let r = if three {
            self.plugin
                .call::<(u32, u32, u32), u32>(name, phase, self.id, args)?
        } else {
            self.plugin
                .call::<(u32, u32), u32>(name, phase, self.id, (args.0, args.1))?
        };
        let action = Action::from_abi(r.unwrap_or(0));
        self.ex.actions.push((cb, action));
        let stream_type = u32::from(matches!(
            phase,
            Phase::ResponseHeaders | Phase::ResponseBody | Phase::ResponseTrailers
        ));
        if action != Action::Continue {
            // Answer calls made while paused, as the upstream cluster would.
            while self.stream().local_response.is_none()
                && !self.stream().continued.contains(&stream_type)
            {
                let Some(token) = self.plugin.pending_http_calls().first().map(|c| c.token) else {
                    break;
                };
                if self.answers.is_empty() {
                    break;
                }
                let answer = self.answers.remove(0);
                self.plugin.answer_http_call(token, answer)?;
            }
        }
        if !had_local && self.stream().local_response.is_some() {
            return Ok(Step::Local);
        }
        if action == Action::Continue || self.stream().continued.contains(&stream_type) {
            self.stream().continued.retain(|t| *t != stream_type);
            return Ok(Step::Go);
        }
        self.ex.stalled_at = Some(cb);
        Ok(Step::Stalled)
    }

    pub(crate) fn flow(&mut self, request: &Request, upstream: &Response) -> Result<()> {
        let id = self.id;
        self.plugin
            .call::<(u32, u32), ()>("proxy_on_context_create", Phase::Setup, id, (id, 1))?;
        let has_body = !request.body.is_empty();
        let has_trailers = !request.trailers.is_empty();
        let n = len32(self.stream().request_headers.len());
        let eos = u32::from(!has_body && !has_trailers);
        let mut step = self.step(
            Callback::RequestHeaders,
            Phase::RequestHeaders,
            "proxy_on_request_headers",
            (id, n, eos),
            true,
        )?;
        // A pause on the headers stops the whole stream (Envoy's default), or only the headers
        // (`allow_on_headers_stop_iteration`): then the module still gets the body and
        // trailers, and Continue from one of them sends the headers on.
        let single = self.plugin.allow_on_headers_stop_iteration;
        if (matches!(step, Step::Go) || (single && matches!(step, Step::Stalled))) && has_body {
            self.stream().request_body = request.body.clone();
            let args = (id, len32(request.body.len()), u32::from(!has_trailers));
            step = self.step(
                Callback::RequestBody,
                Phase::RequestBody,
                "proxy_on_request_body",
                args,
                true,
            )?;
        }
        if (matches!(step, Step::Go) || (single && matches!(step, Step::Stalled))) && has_trailers {
            let args = (id, len32(request.trailers.len()), 0);
            step = self.step(
                Callback::RequestTrailers,
                Phase::RequestTrailers,
                "proxy_on_request_trailers",
                args,
                false,
            )?;
        }
        match step {
            Step::Stalled => return Ok(()),
            Step::Local => return self.local_reply(),
            Step::Go => self.ex.stalled_at = None,
        }
        let s = self.stream();
        let body = if has_body {
            s.request_body.clone()
        } else {
            Vec::new()
        };
        self.ex.upstream_request = Some(UpstreamRequest {
            headers: s.request_headers.clone(),
            body,
            trailers: s.request_trailers.clone(),
        });
        let mut headers = HeaderMap::new();
        headers.add(b":status", upstream.status.to_string().as_bytes());
        for (n, v) in upstream.headers.pairs() {
            headers.add(n, v);
        }
        self.respond(headers, &upstream.body, &upstream.trailers, true)
    }

    /// Sends the local response through the response callbacks, as Envoy does.
    fn local_reply(&mut self) -> Result<()> {
        let Some(local) = self.stream().local_response.clone() else {
            return Ok(());
        };
        self.ex.local_response = Some(local.clone());
        let mut headers = HeaderMap::new();
        headers.add(b":status", local.status.to_string().as_bytes());
        for (n, v) in local.headers.pairs() {
            headers.add(n, v);
        }
        if !local.body.is_empty() {
            headers.replace(b"content-length", local.body.len().to_string().as_bytes());
            if headers.get(b"content-type").is_none() {
                headers.add(b"content-type", b"text/plain");
            }
        }
        self.respond(headers, &local.body, &HeaderMap::new(), false)
    }

    /// Runs the response callbacks on `headers`/`body`/`trailers` and records what the
    /// client gets.
    fn respond(
        &mut self,
        headers: HeaderMap,
        body: &[u8],
        trailers: &HeaderMap,
        from_upstream: bool,
    ) -> Result<()> {
        let id = self.id;
        let s = self.stream();
        s.response_headers = Some(headers);
        s.response_trailers = trailers.clone();
        let n = len32(s.response_headers.as_ref().map_or(0, HeaderMap::len));
        let eos = u32::from(body.is_empty() && trailers.is_empty());
        self.stream().response_body = body.to_vec();
        let mut step = self.step(
            Callback::ResponseHeaders,
            Phase::ResponseHeaders,
            "proxy_on_response_headers",
            (id, n, eos),
            true,
        )?;
        let single = self.plugin.allow_on_headers_stop_iteration;
        if (matches!(step, Step::Go) || (single && matches!(step, Step::Stalled)))
            && !body.is_empty()
        {
            let args = (id, len32(body.len()), u32::from(trailers.is_empty()));
            step = self.step(
                Callback::ResponseBody,
                Phase::ResponseBody,
                "proxy_on_response_body",
                args,
                true,
            )?;
        }
        if (matches!(step, Step::Go) || (single && matches!(step, Step::Stalled)))
            && !trailers.is_empty()
        {
            let args = (id, len32(trailers.len()), 0);
            step = self.step(
                Callback::ResponseTrailers,
                Phase::ResponseTrailers,
                "proxy_on_response_trailers",
                args,
                false,
            )?;
        }
        if matches!(step, Step::Go) {
            self.ex.stalled_at = None;
        }
        match step {
            Step::Stalled => Ok(()),
            Step::Local if from_upstream => {
                // A local response from the response path replaces the upstream's, as is.
                let Some(local) = self.stream().local_response.clone() else {
                    return Ok(());
                };
                self.ex.local_response = Some(local.clone());
                self.ex.client_response = Some(ClientResponse {
                    status: local.status,
                    headers: local.headers.clone(),
                    body: local.body,
                });
                Ok(())
            }
            Step::Local | Step::Go => {
                let s = self.stream();
                let mut headers = s.response_headers.clone().unwrap_or_default();
                let status = headers
                    .get_str(":status")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                headers.remove(b":status");
                let body = if body.is_empty() {
                    Vec::new()
                } else {
                    s.response_body.clone()
                };
                self.ex.client_response = Some(ClientResponse {
                    status,
                    headers,
                    body,
                });
                Ok(())
            }
        }
    }
}
