-- Neovim end-to-end test of `flowscript lsp` (run by tests/editors.rs):
--   FLOWSCRIPT_BIN=... FIXTURE=.../demo.flow.rhai OUT=.../out.json nvim --headless --clean -u test.lua
-- Opens the fixture, starts the server with vim.lsp.start, and writes what the editor got as JSON.

local bin, fixture, out = os.getenv('FLOWSCRIPT_BIN'), os.getenv('FIXTURE'), os.getenv('OUT')
local result = { nvim = tostring(vim.version()) }

local function finish(code)
  vim.fn.writefile({ vim.json.encode(result) }, out)
  vim.cmd((code == 0) and 'qall!' or 'cquit! ' .. code)
end

local function run()
  vim.cmd.edit(fixture)
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start({
    name = 'flowscript',
    cmd = { bin, 'lsp' },
    root_dir = vim.fs.dirname(fixture),
  }, { bufnr = buf })
  assert(id, 'vim.lsp.start returned no client')
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(10000, function() return client.initialized end, 20), 'the server did not initialize')

  -- Diagnostics arrive on their own (debounced) after didOpen.
  assert(vim.wait(10000, function() return #vim.diagnostic.get(buf) > 0 end, 20), 'no diagnostics')
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col, code = d.code, message = d.message })
  end

  local uri = vim.uri_from_bufnr(buf)
  local function request(method, params)
    local resp, err = client:request_sync(method, params, 5000, buf)
    assert(resp, method .. ': ' .. tostring(err))
    assert(not resp.err, method .. ': ' .. vim.inspect(resp.err))
    return resp.result
  end
  local function at(line, character)
    return { textDocument = { uri = uri }, position = { line = line, character = character } }
  end
  local function labels(items)
    local out = {}
    for _, item in ipairs(items.items or items) do table.insert(out, item.label) end
    return out
  end

  -- Completion: the option keys of node() at the start of line 3.
  result.option_keys = labels(request('textDocument/completion', at(2, 4)))
  -- Hover on `load` in `load - "done"`.
  local hover = request('textDocument/hover', at(5, 1))
  result.hover = hover and hover.contents.value or vim.NIL
  local fs_hover = request('textDocument/hover', at(4, 46))
  result.fs_hover = fs_hover and fs_hover.contents.value or vim.NIL

  -- Definition through the editor's own command: the cursor jumps to `let report`.
  vim.api.nvim_win_set_cursor(0, { 6, 18 })
  vim.lsp.buf.definition()
  vim.wait(5000, function() return vim.api.nvim_win_get_cursor(0)[1] ~= 6 end, 20)
  result.definition_cursor = vim.api.nvim_win_get_cursor(0)

  result.symbols = {}
  for _, s in ipairs(request('textDocument/documentSymbol', { textDocument = { uri = uri } })) do
    local children = {}
    for _, c in ipairs(s.children or {}) do table.insert(children, c.name) end
    table.insert(result.symbols, { name = s.name, children = children })
  end

  -- The quick-fix, applied to the buffer.
  local actions = request('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = { start = { line = 1, character = 6 }, ['end'] = { line = 1, character = 6 } },
    context = { diagnostics = {} },
  })
  result.action_title = actions[1] and actions[1].title or vim.NIL
  if actions[1] then
    vim.lsp.util.apply_workspace_edit(actions[1].edit, client.offset_encoding)
  end
  result.fixed_line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]

  local graph = request('flowscript/graph', { textDocument = { uri = uri } })
  result.mermaid_head = graph.mermaid:sub(1, 15)

  -- Type a broken line, then ask for the actions of `load` inside the quotes.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'fn helper(x) { x }', 'let h = helper(1);', 'let broken = ;', 'lo', 'let k = shared.', 'fs::', 'load - "' })
  local last = vim.api.nvim_buf_line_count(buf) - 1
  result.actions = labels(request('textDocument/completion', at(last, 8)))
  local def = request('textDocument/definition', at(last - 5, 9))
  def = def and (def.range or (def[1] and (def[1].range or def[1].targetRange)))
  result.fn_definition = def and { def.start.line, def.start.character } or vim.NIL
  result.shared_keys = labels(request('textDocument/completion', at(last - 2, 15)))
  result.fs_functions = labels(request('textDocument/completion', at(last - 1, 4)))
  local general = request('textDocument/completion', at(last - 3, 2))
  result.general = labels(general)
  for _, item in ipairs(general.items or general) do
    if item.label == 'parallel' then result.parallel_snippet = item.insertTextFormat == 2 and item.insertText or vim.NIL end
  end
  -- Diagnostics follow the edit: the fixed key is gone, the syntax error is reported.
  vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'syntax' then return true end
    end
    return false
  end, 20)
  result.after_edit = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(result.after_edit, d.code) end
end

local ok, err = pcall(run)
if not ok then
  result.error = tostring(err)
  finish(1)
else
  finish(0)
end
