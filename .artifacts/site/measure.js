
function rgba(text) {
  const m = text.match(/rgba?\(([^)]*)\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, bottom) {  // top composited over an opaque bottom
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
}
function background(el) {
  const layers = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let color = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
  return color;
}
function luminance(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function contrast(el) {
  const bg = background(el);
  const fg = over(rgba(getComputedStyle(el).color), bg);
  const a = luminance(fg), b = luminance(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
function visible(el) {
  if (el.closest("mjx-assistive-mml")) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
}
const HAN = /[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]/;

function measure(colors) {
  const doc = document.documentElement;
  const out = {
    width: Math.max(doc.scrollWidth, document.body.scrollWidth),
    viewport: window.innerWidth,
    height: doc.scrollHeight,
    mathErrors: window.mathErrors.slice(),
    merror: document.querySelectorAll("mjx-merror").length,
    textContrast: [], linkContrast: [], zhWithoutLang: [], raw: [], colored: [], hasZh: false,
    background: luminance(background(document.querySelector(".card") || document.body)),
  };
  const qa = document.getElementById("qa");
  if (!colors) return out;
  const walker = document.createTreeWalker(qa, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest("style, script, mjx-container") || !visible(el)) continue;
    if (/\\\(|\\\[|\$|\{\{|\}\}/.test(text)) out.raw.push(text.slice(0, 80));
    if (HAN.test(text)) {
      out.hasZh = true;
      const owner = el.closest("[lang]");
      if (!owner || !owner.getAttribute("lang").startsWith("zh")) out.zhWithoutLang.push(text.slice(0, 40));
    }
    if (seen.has(el)) continue;
    seen.add(el);
    const ratio = contrast(el);
    const entry = [Math.round(ratio * 100) / 100, text.slice(0, 40), el.tagName + "." + el.className];
    (el.closest("a") ? out.linkContrast : out.textContrast).push(entry);
  }
  const body = getComputedStyle(document.querySelector(".card") || document.body).color;
  for (const el of qa.querySelectorAll(".wrong, .right, .pitfalls li, .options li, .explanation, .answer")) {
    if (getComputedStyle(el).color !== body) out.colored.push(el.className || el.tagName);
  }
  out.textContrast.sort((a, b) => a[0] - b[0]);
  out.linkContrast.sort((a, b) => a[0] - b[0]);
  out.textContrast = out.textContrast.slice(0, 5);
  out.linkContrast = out.linkContrast.slice(0, 5);
  return out;
}

window.showCard = async function (html) {
  const qa = document.getElementById("qa");
  MathJax.typesetClear([qa]);
  window.mathErrors = [];
  qa.innerHTML = html;
  for (const d of qa.querySelectorAll("details")) d.open = true;  // typeset what is folded too
  await MathJax.typesetPromise([qa]);
  await document.fonts.ready;
};

window.measureAs = function (night, openAll, colors) {
  document.documentElement.className = night === "ancestor" ? "night_mode" : "";
  document.body.className = "card card1" + (night === "card" ? " nightMode night_mode" : "");
  for (const d of document.querySelectorAll("#qa details")) d.open = openAll;
  return measure(colors);
};
