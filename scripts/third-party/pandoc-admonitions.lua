-- Sphinx admonitions (note, warning, seealso…) arrive as Divs with a "title" Div inside; as
-- Markdown they become a block quote whose first line is the bold title. Other Divs (e.g. the
-- `contents` placeholder) are unwrapped or dropped.
function Div(el)
  -- Filters run bottom-up: leave the inner title Div for its admonition to find.
  if el.classes:includes('title') then return nil end
  local title = nil
  local body = {}
  for _, b in ipairs(el.content) do
    if b.t == 'Div' and b.classes:includes('title') then
      title = pandoc.utils.stringify(b)
    else
      table.insert(body, b)
    end
  end
  if el.classes:includes('contents') then return {} end
  -- Sphinx version notes (versionadded/versionchanged/deprecated) carry only the version number.
  local labels = { versionadded = 'New in version', versionchanged = 'Changed in version', deprecated = 'Deprecated since version' }
  for class, label in pairs(labels) do
    if el.classes:includes(class) and #body > 0 and body[1].t == 'Para' then
      body[1].content:insert(1, pandoc.Space())
      body[1].content:insert(1, pandoc.Str(label))
      return body
    end
  end
  if title then
    table.insert(body, 1, pandoc.Para({ pandoc.Strong({ pandoc.Str(title) }) }))
    return pandoc.BlockQuote(body)
  end
  return body
end
