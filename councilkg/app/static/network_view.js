// The councilkg network drawing: nodes and edges as SVG, from the records Python sends (network_view.py).
// Written for this project; no third-party code and nothing fetched from the network. Every label is set with
// textContent, so text from the data is shown as text and never parsed as HTML.
const SVG = "http://www.w3.org/2000/svg";
const PAD_X = 70;
const PAD_Y = 26;

function make(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, String(value));
  return element;
}

function tooltip(element, text) {
  const title = make("title");
  title.textContent = text;
  element.appendChild(title);
}

function legend(box, entries) {
  box.replaceChildren();
  for (const entry of entries) {
    const item = document.createElement("span");
    item.className = "ckg-legend-item";
    const swatch = document.createElement("span");
    swatch.className = "ckg-swatch";
    swatch.style.background = entry.colour;
    const name = document.createElement("span");
    name.textContent = entry.kind;
    item.append(swatch, name);
    box.appendChild(item);
  }
}

function draw(root, data, report) {
  const width = Math.max(320, root.clientWidth || 800);
  const height = data.height;
  const px = (n) => PAD_X + n.x * (width - 2 * PAD_X);
  const py = (n) => PAD_Y + n.y * (height - 2 * PAD_Y);
  const svg = make("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `A network of ${data.nodes.length} nodes and ${data.edges.length} edges`, "data-testid": "ckg-network" });
  const edgeLayer = make("g", { class: "ckg-edges" });
  const nodeLayer = make("g", { class: "ckg-nodes" });
  const incident = data.nodes.map(() => []);
  for (const edge of data.edges) {
    const a = data.nodes[edge.s];
    const b = data.nodes[edge.t];
    const group = make("g", { class: "ckg-edge" });
    const ends = { x1: px(a), y1: py(a), x2: px(b), y2: py(b) };
    const line = make("line", ends);
    const hit = make("line", { ...ends, class: "ckg-hit" }); // a wider, unseen line to point at
    tooltip(hit, edge.tip);
    group.append(line, hit);
    edgeLayer.appendChild(group);
    incident[edge.s].push(group);
    incident[edge.t].push(group);
  }
  data.nodes.forEach((node, i) => {
    const group = make("g", { class: "ckg-node" + (node.id === data.selected ? " ckg-selected" : ""), "data-id": node.id });
    if (data.clickable) {
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
    }
    group.setAttribute("aria-label", `${node.label} (${node.kind})`);
    const circle = make("circle", { cx: px(node), cy: py(node), r: node.r, fill: node.colour });
    tooltip(circle, node.tip);
    group.appendChild(circle);
    if (node.named || node.id === data.selected) {
      const label = make("text", { x: px(node), y: py(node) - node.r - 4, "text-anchor": "middle" });
      label.textContent = node.label;
      group.appendChild(label);
    }
    const lit = (on) => incident[i].forEach((edge) => edge.classList.toggle("ckg-lit", on));
    group.addEventListener("mouseenter", () => lit(true));
    group.addEventListener("mouseleave", () => lit(false));
    group.addEventListener("focus", () => lit(true));
    group.addEventListener("blur", () => lit(false));
    if (data.clickable) {
      group.addEventListener("click", () => report(node.id));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          report(node.id);
        }
      });
    }
    nodeLayer.appendChild(group);
  });
  svg.append(edgeLayer, nodeLayer);
  const old = root.querySelector("svg");
  if (old) old.replaceWith(svg);
  else root.appendChild(svg);
}

export default function (component) {
  const { parentElement, setTriggerValue } = component;
  const data = component.data[0]; // sent in a list (network_view.py says why)
  const root = parentElement.querySelector(".ckg-network");
  legend(root.querySelector(".ckg-legend"), data.legend);
  const report = (id) => setTriggerValue("clicked", id);
  draw(root, data, report);
  let width = root.clientWidth;
  const watcher = new ResizeObserver(() => {
    if (root.clientWidth !== width) {
      width = root.clientWidth;
      draw(root, data, report);
    }
  });
  watcher.observe(root);
  return () => watcher.disconnect();
}
