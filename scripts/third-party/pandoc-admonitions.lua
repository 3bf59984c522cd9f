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
  if title then
    table.insert(body, 1, pandoc.Para({ pandoc.Strong({ pandoc.Str(title) }) }))
    return pandoc.BlockQuote(body)
  end
  return body
end
