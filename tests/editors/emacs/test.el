;;; test.el --- Emacs + eglot end-to-end test of `flowscript lsp' (run by tests/editors.rs)
;;   FLOWSCRIPT_BIN=... FIXTURE=.../demo.flow.rhai OUT=.../out.json emacs --batch -Q -l test.el
;; Opens the fixture with eglot, waits for diagnostics, asks for a hover, writes JSON to OUT.

(require 'package)
;; -Q skips site-lisp: activate Debian's elpa-eglot (and the newer project/xref it needs).
(setq package-directory-list '("/usr/share/emacs/site-lisp/elpa")
      package-user-dir (make-temp-file "fs-elpa" t))
(package-initialize)
(require 'eglot)
(require 'json)

(define-derived-mode flowscript-mode prog-mode "flowscript")
(add-to-list 'auto-mode-alist '("\\.flow\\.rhai\\'" . flowscript-mode))
(add-to-list 'eglot-server-programs
             `(flowscript-mode . (,(getenv "FLOWSCRIPT_BIN") "lsp")))

(defvar fs-result nil)

(defun fs-wait (pred seconds)
  "Process events until PRED is non-nil or SECONDS pass."
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun fs-run ()
  (find-file (getenv "FIXTURE"))
  (let ((eglot-connect-timeout 20)
        (eglot-sync-connect t))
    (call-interactively #'eglot))
  (let ((server (eglot-current-server)))
    (unless server (error "eglot did not connect"))
    (push (cons 'server (plist-get (eglot--server-info server) :name)) fs-result)
    ;; Diagnostics: eglot hands them to flymake.
    (fs-wait (lambda () (flymake-start) (flymake-diagnostics)) 20)
    (push (cons 'diagnostics
                (vconcat (mapcar (lambda (d)
                                   (list (cons 'line (line-number-at-pos (flymake-diagnostic-beg d)))
                                         (cons 'text (flymake-diagnostic-text d))))
                                 (flymake-diagnostics))))
          fs-result)
    ;; Hover on `load' in `load - "done"' (line 6).
    (goto-char (point-min))
    (forward-line 5)
    (forward-char 1)
    (let ((hover (jsonrpc-request server :textDocument/hover
                                  (eglot--TextDocumentPositionParams))))
      (push (cons 'hover (plist-get (plist-get hover :contents) :value)) fs-result))))

(condition-case err
    (fs-run)
  (error (push (cons 'error (format "%S" err)) fs-result)))
(with-temp-file (getenv "OUT")
  (insert (json-encode fs-result)))
(kill-emacs (if (assq 'error fs-result) 1 0))
