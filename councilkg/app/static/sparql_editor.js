// A SPARQL editor for the councilkg app: a textarea over a syntax-highlighted copy of its text.
// Written for this project; no third-party code and nothing fetched from the network.
const KEYWORDS = new Set(("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED GRAPH OPTIONAL UNION MINUS FILTER " +
  "BIND VALUES AS DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING EXISTS NOT IN SERVICE SILENT UNDEF " +
  "COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS " +
  "CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH " +
  "DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT " +
  "SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE TRUE FALSE A").split(" "));
const TOKEN = /(#[^\n]*)|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)|([A-Za-z_\u00C0-\uFFFF][\w.\-\u00C0-\uFFFF]*:[\w.:%\-\u00C0-\uFFFF]*|:[\w.:%\-\u00C0-\uFFFF]+)|([A-Za-z_][A-Za-z0-9_]*)|(\b\d+(?:\.\d+)?\b)/g;
const CLASSES = [null, "comment", "string", "iri", "var", "pname", "word", "number"];

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function highlight(text) {
  let out = "";
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    out += escapeHtml(text.slice(last, match.index));
    const group = match.slice(1).findIndex((g) => g !== undefined) + 1;
    let cls = CLASSES[group];
    if (cls === "word") cls = KEYWORDS.has(match[0].toUpperCase()) ? "keyword" : null;
    out += cls ? `<span class="${cls}">${escapeHtml(match[0])}</span>` : escapeHtml(match[0]);
    last = match.index + match[0].length;
  }
  return out + escapeHtml(text.slice(last)) + "\n";
}

export default function (component) {
  const { data, setStateValue, setTriggerValue, parentElement } = component;
  const area = parentElement.querySelector("textarea");
  const code = parentElement.querySelector("code");
  const pre = parentElement.querySelector("pre");
  const render = () => {
    code.innerHTML = highlight(area.value);
    const lines = area.value.split("\n").length;
    area.style.height = pre.style.height = `${Math.max(8, lines + 1) * 1.45 + 1.2}em`;
  };
  const incoming = (data && data.value) || "";
  if (area.dataset.last !== incoming) {
    area.value = incoming;
    area.dataset.last = incoming;
  }
  render();
  area.oninput = render;
  area.onscroll = () => { pre.scrollTop = area.scrollTop; pre.scrollLeft = area.scrollLeft; };
  const commit = () => {
    if (area.value !== area.dataset.last) {
      area.dataset.last = area.value;
      setStateValue("value", area.value);
    }
  };
  area.onblur = commit;
  area.onkeydown = (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      commit();
      setTriggerValue("run", Date.now());
    } else if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      const start = area.selectionStart;
      area.setRangeText("  ", start, area.selectionEnd, "end");
      render();
    }
  };
}
