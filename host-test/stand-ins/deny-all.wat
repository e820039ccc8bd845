;; deny-all: the kill matrix's stand-in that answers every request with a 403 local response
;; (empty body, no headers, no log line, no metric) and lets none through. A file of attacks that
;; passes against it checks a status, not why the filter refused.
(module
  (import "env" "proxy_send_local_response"
    (func $send_local_response (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  ;; (context_id, headers, end_of_stream) -> 1: StopIteration after the local response.
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $send_local_response
      (i32.const 403)                  ;; status
      (i32.const 0) (i32.const 0)      ;; details
      (i32.const 0) (i32.const 0)      ;; body
      (i32.const 0) (i32.const 0)      ;; serialized headers
      (i32.const -1)))                 ;; no gRPC status
    (i32.const 1)))
