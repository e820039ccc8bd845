;; allow-all: the kill matrix's stand-in that forwards every request and touches nothing. It
;; exports no callback, so the host skips each one: requests and responses go on unchanged, no
;; log line, no metric. A scenario file that passes against it does not show its filter at work.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1")))
