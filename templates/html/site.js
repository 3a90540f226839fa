/* cardpress study site. The pages are complete HTML (every card is in the
   deck page, the list works without JavaScript); this script adds study
   mode, search, grading and the theme toggle. No framework: it is one page of
   DOM code, and it must run from file:// with nothing to download. */
(function () {
  "use strict";

  const root = document.documentElement;
  const strings = JSON.parse(document.getElementById("_cp-strings").textContent);
  const $ = (id) => document.getElementById(id);

  function t(name, vars) {
    return strings[name].replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));
  }

  // localStorage can be missing or throw (private windows, some file:// setups):
  // then the site still works, it just forgets.
  const store = {
    get(key) {
      try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
    },
    set(key, value) {
      try {
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(value));
      } catch (e) { /* not stored */ }
    },
  };
  const deckKey = (id) => "cardpress:deck:" + id;

  let liveTimer = 0;
  function announce(text) {
    // Clear first so repeating the same words is announced again.
    const live = $("_cp-live");
    live.textContent = "";
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => { live.textContent = text; }, 50);
  }

  const reducedMotion = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* ---- theme ----------------------------------------------------------- */
  function setupTheme() {
    const button = $("_cp-theme");
    if (!button) return;
    const system = matchMedia("(prefers-color-scheme: dark)");
    const isDark = () => (root.dataset.theme ? root.dataset.theme === "dark" : system.matches);
    const sync = () => button.setAttribute("aria-pressed", String(isDark()));
    button.addEventListener("click", () => {
      const dark = !isDark();
      if (dark === system.matches) {
        // Choosing what the system shows means "follow the system" again.
        delete root.dataset.theme;
        store.set("cardpress:theme", null);
      } else {
        root.dataset.theme = dark ? "dark" : "light";
        store.set("cardpress:theme", root.dataset.theme);
      }
      sync();
    });
    system.addEventListener("change", sync);
    sync();
  }

  /* ---- remote images: only requested when the browser is online -------- */
  // Each has its caption (alt text and address, from the build, as in Anki);
  // offline, or when it fails to load, the image hides and the caption says so.
  function setupRemoteImages() {
    const images = Array.from(document.querySelectorAll("img[data-remote-src]"));
    if (!images.length) return;
    const captionOf = (img) => {
      const next = img.nextElementSibling;
      return next && next.classList.contains("cp-remote-caption") ? next : null;
    };
    const offline = (img) => {
      img.removeAttribute("src");
      img.hidden = true;
      const caption = captionOf(img);
      if (caption) {
        if (caption.classList.contains("cp-img-offline")) return;
        const note = document.createElement("span");
        note.className = "cp-offline-note";
        note.textContent = t("image_offline") + " · ";
        caption.prepend(note);
        caption.classList.add("cp-img-offline");
        return;
      }
      if (img.nextElementSibling && img.nextElementSibling.classList.contains("cp-img-offline")) return;
      const note = document.createElement("span");
      note.className = "cp-img-offline";
      note.textContent = (img.alt ? img.alt + " · " : "") + t("image_offline");
      img.after(note);
    };
    const load = () => {
      for (const img of images) {
        if (img.getAttribute("src")) continue;
        const caption = captionOf(img);
        if (caption) {
          caption.classList.remove("cp-img-offline");
          caption.querySelectorAll(".cp-offline-note").forEach((n) => n.remove());
        } else if (img.nextElementSibling && img.nextElementSibling.classList.contains("cp-img-offline")) {
          img.nextElementSibling.remove();
        }
        img.hidden = false;
        img.src = img.dataset.remoteSrc;
      }
    };
    for (const img of images) img.addEventListener("error", () => offline(img));
    if (navigator.onLine) load(); else images.forEach(offline);
    window.addEventListener("online", load);
  }

  /* ---- index: progress per deck ---------------------------------------- */
  function setupIndex() {
    for (const el of document.querySelectorAll("[data-progress-deck]")) {
      const saved = store.get(deckKey(el.dataset.progressDeck));
      const good = saved && saved.grades ? Object.values(saved.grades).filter((g) => g === 2).length : 0;
      if (good) el.textContent = t("known", { good: good, total: el.dataset.total });
    }
  }

  /* ---- deck page -------------------------------------------------------- */
  function setupDeck() {
    const deckId = root.dataset.deck;
    const main = $("_cp-main");
    const list = $("_cp-cards");
    const items = Array.from(list.children);
    const byKey = new Map(items.map((li) => [li.firstElementChild.id, li]));
    const allKeys = Array.from(byKey.keys());
    const detailsOf = (li) => li.querySelector(":scope > .cp-card > .cp-details");
    const summaryOf = (li) => detailsOf(li).firstElementChild;
    const questionText = (li) => li.querySelector(".cp-question").textContent.replace(/^\d+\s*/, "").trim();
    // A cloze card's answer is what its blanks hide, then its back (if any).
    const answerText = (li) => Array.from(li.querySelectorAll(".cp-cloze-answer, .cp-answer"), (e) => e.textContent)
      .join(" ").replace(/\s+/g, " ").trim();
    const frontText = (li) => { const e = li.querySelector(".cp-cloze-text"); return e ? e.textContent : ""; };

    // Tags: a card has its own (data-tags); a chosen tag keeps the cards
    // that have it or a tag below it ("ml" keeps "ml::basics"), ignoring case.
    const chips = Array.from(document.querySelectorAll(".tag-chip"));
    const tagsOf = new Map(items.map((li) => [li, (li.dataset.tags || "").toLowerCase().split(" ").filter(Boolean)]));
    const tagged = (li, tag) => !tag || tagsOf.get(li).some((x) => x === tag.toLowerCase() || x.startsWith(tag.toLowerCase() + "::"));
    const keysWith = (tag) => allKeys.filter((k) => tagged(byKey.get(k), tag));

    // The saved state, checked against today's cards: cards removed since
    // are dropped, new ones (with the chosen tag) join the end of the order.
    function load() {
      const s = store.get(deckKey(deckId)) || {};
      const grades = {};
      for (const [k, g] of Object.entries(s.grades || {})) if (byKey.has(k) && (g === 1 || g === 2)) grades[k] = g;
      const tag = typeof s.tag === "string" && chips.some((c) => c.dataset.tag === s.tag) ? s.tag : "";
      const universe = keysWith(tag);
      const within = new Set(universe);
      let order = Array.from(new Set(Array.isArray(s.order) ? s.order : [])).filter((k) => within.has(k));
      const subset = Boolean(s.subset) && order.length > 0;
      if (!subset) {
        const seen = new Set(order);
        order = order.concat(universe.filter((k) => !seen.has(k)));
      }
      let pos = order.indexOf(s.key);
      if (pos < 0) pos = Number.isInteger(s.pos) ? Math.min(Math.max(s.pos, 0), order.length) : 0;
      return { mode: s.mode === "list" ? "list" : "study", order, pos, grades, subset, tag };
    }
    let state = load();
    const save = () => store.set(deckKey(deckId), { ...state, key: state.order[state.pos] || null });
    const current = () => byKey.get(state.order[state.pos]) || null;

    /* -- study: showing one card -- */
    let shown = null;
    let flipping = null; // {animation, apply} while a flip is half done

    function settleFlip() {
      if (!flipping) return;
      flipping.animation.cancel();
      flipping.apply();
      flipping = null;
    }

    function render() {
      const n = state.order.length;
      const done = state.pos >= n;
      const li = current();
      if (shown !== li) {
        if (shown) { shown.classList.remove("current"); detailsOf(shown).open = false; clearTyped(shown); }
        if (li) li.classList.add("current");
        shown = li;
      }
      main.toggleAttribute("data-done", done);
      $("_cp-done").hidden = !done;
      const at = Math.min(state.pos + 1, n);
      $("_cp-position").textContent = at + " / " + n;
      const meter = $("_cp-meter");
      meter.setAttribute("aria-valuemax", String(n));
      meter.setAttribute("aria-valuenow", String(done ? n : state.pos));
      meter.setAttribute("aria-valuetext", at + " / " + n);
      meter.firstElementChild.style.width = (n ? (done ? 100 : (100 * state.pos) / n) : 0) + "%";
      const values = Object.values(state.grades);
      const again = values.filter((g) => g === 1).length;
      const good = values.filter((g) => g === 2).length;
      $("_cp-tally-again").textContent = again;
      $("_cp-tally-good").textContent = good;
      $("_cp-reviewing").hidden = !state.subset;
      if (done) {
        const graded = keysWith(state.tag).filter((k) => k in state.grades).length;
        $("_cp-done-text").textContent = t("done_text", { good, again, none: keysWith(state.tag).length - graded });
        const review = $("_cp-review");
        review.hidden = again === 0;
        review.textContent = t("review_again", { n: again });
      }
      syncFlip();
    }

    function syncFlip() {
      const li = current();
      const open = Boolean(li && detailsOf(li).open);
      const flip = $("_cp-flip");
      flip.setAttribute("aria-expanded", String(open));
      if (li) flip.setAttribute("aria-controls", li.firstElementChild.id);
      $("_cp-flip-label").textContent = open ? flip.dataset.hide : flip.dataset.show;
    }

    function show(pos, opts = {}) {
      settleFlip();
      const hadFocus = shown && shown.contains(document.activeElement);
      state.pos = Math.min(Math.max(pos, 0), state.order.length);
      save();
      render();
      const li = current();
      if (!li) {
        if (!opts.quiet) $("_cp-done-title").focus();
        return;
      }
      if (state.mode === "study") history.replaceState(null, "", "#" + encodeURIComponent(li.firstElementChild.id));
      if (hadFocus) summaryOf(li).focus();
      if (opts.quiet) return;
      if (opts.direction && li.animate) {
        const dx = 28 * opts.direction;
        li.firstElementChild.animate(
          reducedMotion() ? [{ opacity: 0 }, { opacity: 1 }]
            : [{ opacity: 0, transform: "translateX(" + dx + "px)" }, { opacity: 1, transform: "none" }],
          { duration: 180, easing: "ease-out" });
      }
      announce((opts.prefix || "") + t("card_of", { i: state.pos + 1, n: state.order.length, q: questionText(li) }));
    }

    function flip() {
      settleFlip();
      const li = current();
      if (!li) return;
      const details = detailsOf(li);
      const card = li.firstElementChild;
      const open = !details.open;
      const apply = () => {
        details.open = open;
        syncFlip();
        if (open) announce(t("answer_said", { a: answerText(li) }));
      };
      if (!card.animate) { apply(); return; }
      // Turn the card edge-on, swap sides, turn it back: a flip. Reduced
      // motion gets a fade with the same timing.
      const fade = reducedMotion();
      const half = card.animate(fade ? [{ opacity: 1 }, { opacity: 0 }] : [{ transform: "rotateY(0)" }, { transform: "rotateY(90deg)" }],
        { duration: 130, easing: "ease-in" });
      flipping = { animation: half, apply };
      half.onfinish = () => {
        if (!flipping || flipping.animation !== half) return;
        flipping = null;
        apply();
        card.animate(fade ? [{ opacity: 0 }, { opacity: 1 }] : [{ transform: "rotateY(-90deg)" }, { transform: "rotateY(0)" }],
          { duration: 150, easing: "ease-out" });
      };
    }

    const move = (step) => {
      if (state.pos + step < 0 || state.pos + step > state.order.length) return;
      show(state.pos + step, { direction: step });
    };

    function grade(g) {
      const li = current();
      if (!li) return;
      state.grades[li.firstElementChild.id] = g;
      show(state.pos + 1, { direction: 1, prefix: t(g === 2 ? "good" : "again") + ". " });
    }

    function shuffle() {
      const o = state.order;
      for (let i = o.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [o[i], o[j]] = [o[j], o[i]];
      }
      shown && (detailsOf(shown).open = false);
      show(0, { prefix: t("shuffled") + " " });
    }

    function restart(order, subset) {
      state.order = order;
      state.subset = subset;
      show(0, { direction: 1 });
      const li = current();
      if (li) $("_cp-flip").focus();
    }

    function reset() {
      if (!window.confirm(t("reset_confirm"))) return;
      state.grades = {};
      restart(keysWith(state.tag), false);
      announce(t("reset_done"));
    }

    /* -- filter by tag: the cards studied, and those the list shows -- */
    function syncChips() {
      for (const c of chips) c.setAttribute("aria-pressed", String(c.dataset.tag === state.tag));
    }

    function chooseTag(tag) {
      settleFlip();
      state.tag = tag;
      syncChips();
      const keys = keysWith(tag);
      state.order = keys;
      state.subset = false;
      if (state.mode === "study") show(0, { quiet: true });
      else { state.pos = 0; save(); filter(); }
      announce(tag ? t("tag_chosen", { n: keys.length, tag }) : t("tag_cleared", { n: keys.length }));
    }

    /* -- modes -- */
    function setMode(mode) {
      settleFlip();
      state.mode = mode;
      root.dataset.mode = mode;
      for (const b of document.querySelectorAll("[data-mode-button]")) {
        b.setAttribute("aria-pressed", String(b.dataset.modeButton === mode));
      }
      for (const li of items) detailsOf(li).open = false;
      autoOpened.clear();
      if (mode === "study") {
        show(state.pos, { quiet: true });
      } else {
        save();
        filter();
        const li = current();
        if (li && li.getBoundingClientRect().top > innerHeight) li.scrollIntoView({ block: "center" });
      }
    }

    // A link to #<card key> opens that card, in whichever view is showing.
    function openFromHash(hash) {
      let key;
      try { key = decodeURIComponent((typeof hash === "string" ? hash : location.hash).slice(1)); } catch (e) { return false; }
      const li = byKey.get(key);
      if (!li) return false;
      if (state.mode === "study") {
        let i = state.order.indexOf(key);
        if (i < 0) {
          if (!tagged(li, state.tag)) { state.tag = ""; syncChips(); }
          state.order = keysWith(state.tag); state.subset = false; i = state.order.indexOf(key);
        }
        show(i, { quiet: true });
      } else {
        if (li.classList.contains("nomatch")) {
          $("_cp-search").value = "";
          if (!tagged(li, state.tag)) { state.tag = ""; syncChips(); }
          filter();
        }
        detailsOf(li).open = true;
        li.scrollIntoView({ block: "start" });
        summaryOf(li).focus({ preventScroll: true });
      }
      return true;
    }

    /* -- list: search -- */
    // NFKC + lower case, spaces removed: "relu", "ＲｅＬＵ" and decomposed
    // Hangul all find "ReLU", and "비 선형" finds "비선형" (Korean spacing varies).
    const fold = (s) => s.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
    const haystacks = new Map(items.map((li) => [li, fold(questionText(li) + " " + frontText(li) + " " + li.querySelector(".cp-answer").textContent)]));
    const questionHaystacks = new Map(items.map((li) => [li, fold(questionText(li))]));
    // Cards the search opened because the words are in the answer; closed
    // again when the search no longer needs them.
    const autoOpened = new Set();

    const AUTO_OPEN_MAX = 20; // past this many matches, opened answers are just noise

    function filter() {
      const input = $("_cp-search");
      const terms = input.value.split(/\s+/).map(fold).filter(Boolean);
      const matches = items.filter((li) => {
        const match = tagged(li, state.tag) && terms.every((term) => haystacks.get(li).includes(term));
        li.classList.toggle("nomatch", !match);
        return match;
      });
      const open = new Set(terms.length && matches.length <= AUTO_OPEN_MAX
        ? matches.filter((li) => !terms.every((term) => questionHaystacks.get(li).includes(term))) : []);
      for (const li of open) {
        if (!detailsOf(li).open) { detailsOf(li).open = true; autoOpened.add(li); }
      }
      for (const li of autoOpened) {
        if (!open.has(li)) { detailsOf(li).open = false; autoOpened.delete(li); }
      }
      $("_cp-count").textContent = terms.length || state.tag ? t("matches", { n: matches.length, total: items.length }) : "";
      $("_cp-empty").hidden = matches.length > 0;
      highlight(input.value);
      syncExpand();
    }

    // Marks matches without touching the cards' HTML (CSS Custom Highlight
    // API; browsers without it just filter).
    function highlight(query) {
      if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
      CSS.highlights.delete("cp-search");
      const words = query.normalize("NFC").toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) return;
      const ranges = [];
      for (const li of items) {
        if (li.classList.contains("nomatch")) continue;
        const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.data.normalize("NFC").toLowerCase();
          if (text.length !== node.data.length) continue; // offsets would not line up
          for (const w of words) {
            for (let i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length)) {
              const r = new Range();
              r.setStart(node, i);
              r.setEnd(node, i + w.length);
              ranges.push(r);
            }
          }
        }
      }
      CSS.highlights.set("cp-search", new Highlight(...ranges));
    }

    const visibleItems = () => items.filter((li) => !li.classList.contains("nomatch"));
    function syncExpand() {
      const all = visibleItems();
      const allOpen = all.length > 0 && all.every((li) => detailsOf(li).open);
      $("_cp-expand").textContent = t(allOpen ? "collapse_all" : "expand_all");
      $("_cp-expand").dataset.open = String(allOpen);
    }

    /* -- typed answers: compared as NFC, ignoring case and spacing -- */
    const typedForm = (li) => li.querySelector(":scope > .cp-card > .cp-type");
    const normal = (s) => s.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
    function clearTyped(li) {
      const form = typedForm(li);
      if (!form) return;
      form.reset();
      const result = form.querySelector(".cp-type-result");
      result.textContent = "";
      result.className = "cp-type-result";
    }
    list.addEventListener("submit", (e) => {
      const form = e.target.closest(".cp-type");
      if (!form) return;
      e.preventDefault();
      const li = form.closest(".item");
      const input = form.querySelector("input");
      if (!input.value.trim()) { input.focus(); return; }
      const right = normal(input.value) === normal(form.dataset.answer);
      const result = form.querySelector(".cp-type-result");
      result.textContent = right ? t("type_right") : t("type_wrong", { a: form.dataset.answer });
      result.className = "cp-type-result " + (right ? "right" : "wrong");
      // Show the answer, and give the keyboard back to the shortcuts (1 / 2 grade, arrows move).
      if (state.mode === "study" && li === current()) { if (!detailsOf(li).open) flip(); }
      else detailsOf(li).open = true;
      summaryOf(li).focus({ preventScroll: true });
    });

    /* -- pointer: click flips, swipe moves -- */
    let swipeStart = null;
    let swiped = false;
    list.addEventListener("pointerdown", (e) => {
      swiped = false;
      swipeStart = state.mode === "study" && e.isPrimary && e.pointerType !== "mouse" ? { x: e.clientX, y: e.clientY } : null;
    });
    list.addEventListener("pointerup", (e) => {
      if (!swipeStart) return;
      const dx = e.clientX - swipeStart.x;
      const dy = e.clientY - swipeStart.y;
      swipeStart = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        swiped = true;
        move(dx < 0 ? 1 : -1);
      }
    });
    list.addEventListener("pointercancel", () => { swipeStart = null; });
    list.addEventListener("click", (e) => {
      if (state.mode !== "study") return;
      const li = current();
      if (swiped) { swiped = false; e.preventDefault(); return; }
      if (!li || !li.contains(e.target) || e.target.closest("a, input, audio, video, .cp-type")) return;
      const summary = e.target.closest("summary");
      if (summary && summary.parentElement !== detailsOf(li)) return; // a <details> inside the answer
      if (!summary && String(getSelection()).length) return; // selecting text, not flipping
      e.preventDefault(); // the summary would toggle at once; flip() animates it
      flip();
    });
    list.addEventListener("toggle", () => { if (state.mode === "list") syncExpand(); }, true);

    /* -- keyboard -- */
    document.addEventListener("keydown", (e) => {
      if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
      if ($("_cp-help").open) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target && target.closest("input, textarea, select, audio, video, [contenteditable]")) {
        if (e.key === "Escape" && target.id === "_cp-search" && target.value) { target.value = ""; filter(); e.preventDefault(); }
        return;
      }
      const onControl = target && target.closest("button, a, summary");
      const study = state.mode === "study";
      // e.code for letters: with a Korean IME on, `s` arrives as e.key "ㄴ".
      if (e.key === "?") openHelp();
      else if (e.key === "/") { if (study) setMode("list"); $("_cp-search").focus(); }
      else if (e.code === "KeyL") setMode(study ? "list" : "study");
      else if (!study) return;
      else if (e.key === " " || e.key === "Enter") { if (onControl) return; flip(); }
      else if (e.key === "ArrowRight") move(1);
      else if (e.key === "ArrowLeft") move(-1);
      else if (e.code === "KeyS") shuffle();
      else if (e.code === "Digit1" || e.code === "Numpad1") grade(1);
      else if (e.code === "Digit2" || e.code === "Numpad2") grade(2);
      else return;
      e.preventDefault();
    });

    /* -- help -- */
    const help = $("_cp-help");
    function openHelp() { if (!help.open) help.showModal(); }
    $("_cp-help-open").addEventListener("click", openHelp);
    help.addEventListener("click", (e) => { if (e.target === help) help.close(); }); // backdrop

    /* -- buttons -- */
    for (const b of document.querySelectorAll("[data-mode-button]")) {
      b.addEventListener("click", () => setMode(b.dataset.modeButton));
    }
    $("_cp-flip").addEventListener("click", flip);
    $("_cp-prev").addEventListener("click", () => move(-1));
    $("_cp-next").addEventListener("click", () => move(1));
    $("_cp-again").addEventListener("click", () => grade(1));
    $("_cp-good").addEventListener("click", () => grade(2));
    $("_cp-shuffle").addEventListener("click", shuffle);
    $("_cp-reset").addEventListener("click", reset);
    $("_cp-review").addEventListener("click", () => restart(state.order.filter((k) => state.grades[k] === 1), true));
    $("_cp-restart").addEventListener("click", () => restart(state.subset ? keysWith(state.tag) : state.order, false));
    for (const c of chips) c.addEventListener("click", () => chooseTag(c.dataset.tag === state.tag ? "" : c.dataset.tag));
    $("_cp-search").addEventListener("input", filter);
    $("_cp-expand").addEventListener("click", () => {
      const open = $("_cp-expand").dataset.open !== "true";
      for (const li of visibleItems()) detailsOf(li).open = open;
      syncExpand();
    });
    window.addEventListener("hashchange", openFromHash);

    // Print the whole list with every answer, whatever the view.
    let openBeforePrint = null;
    window.addEventListener("beforeprint", () => {
      settleFlip();
      document.getAnimations().forEach((a) => a.finish()); // no card printed mid-slide
      openBeforePrint = items.map((li) => detailsOf(li).open);
      items.forEach((li) => { detailsOf(li).open = true; });
    });
    window.addEventListener("afterprint", () => {
      if (openBeforePrint) items.forEach((li, i) => { detailsOf(li).open = openBeforePrint[i]; });
      openBeforePrint = null;
    });

    const startHash = location.hash; // read before study mode rewrites it
    syncChips();
    setMode(state.mode);
    if (startHash) openFromHash(startHash);
  }

  setupTheme();
  if (root.dataset.deck) setupDeck(); else setupIndex();
  setupRemoteImages(); // after the search index is built from the cards' own text
})();
