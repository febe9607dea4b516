"""`jeplint lsp`: a language server over stdio. `engine` analyses one file in the context of its
folder (no LSP types: the benchmark and tests use it directly); `server` speaks the protocol
through pygls, imported only by `jeplint lsp` (the optional extra `jeplint[lsp]`)."""
