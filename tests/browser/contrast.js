() => {
  const rgba = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const blend = (top, bottom) => { const a = top.length === 4 ? top[3] : 1; return [0,1,2].map(i => top[i]*a + bottom[i]*(1-a)); };
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) { layers.push(c); if (c.length === 3 || c[3] >= 1) break; }
      if (getComputedStyle(e).backgroundImage !== 'none') return null;
    }
    let base = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) base = blend(layers[i], base);
    return base;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const t = walker.currentNode; const el = t.parentElement;
    if (!el || seen.has(el) || !t.textContent.trim()) continue;
    seen.add(el);
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none' || el.closest('[hidden], .d-none, .visually-hidden, option, script, style, .dropdown-menu:not(.show), .modal:not(.show), .collapse:not(.show), .offcanvas:not(.show):not(.offcanvas-lg)')) continue;
    const r = el.getBoundingClientRect(); if (r.width === 0 || r.height === 0) continue;
    if (el.closest('[disabled], .disabled, :disabled')) continue;  // WCAG exempts inactive controls
    const bg = behind(el); if (!bg) continue;
    let fg = rgba(st.color); fg = fg.length === 4 ? blend(fg, bg) : fg;
    const a = lum(fg), b = lum(bg); const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) out.push([t.textContent.trim().slice(0, 30), el.tagName + '.' + el.className, st.color, 'rgb(' + bg.map(Math.round) + ')', Math.round(ratio * 100) / 100]);
  }
  return out;
}
