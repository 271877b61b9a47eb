// Outputs: a notebook cell's results and ipywidgets' Output widget.
//
// A result is drawn from the richest form it carries that the page can show:
// a widget, HTML, a picture (PNG, JPEG, SVG) or plain text. The Output widget
// collects what the kernel prints while it is "inside" the widget (ipywidgets
// sets the widget's msg_id to the message being handled; the kernel's outputs
// for that message land here), as JupyterLab's Output widget does.

import * as outputBase from "@jupyter-widgets/output";

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
// ANSI colour codes in tracebacks.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function text(value) {
  return Array.isArray(value) ? value.join("") : value || "";
}

function pre(content, mime) {
  const node = document.createElement("pre");
  node.textContent = content;
  const box = document.createElement("div");
  box.className = "jp-RenderedText";
  box.setAttribute("data-mime-type", mime);
  box.appendChild(node);
  return box;
}

// HTML from the tool's own kernel is trusted, as in Voila: its scripts run.
function html(source) {
  const box = document.createElement("div");
  box.className = "jp-RenderedHTMLCommon jp-RenderedHTML";
  box.setAttribute("data-mime-type", "text/html");
  box.innerHTML = source;
  box.querySelectorAll("script").forEach((old) => {
    const script = document.createElement("script");
    for (const { name, value } of Array.from(old.attributes)) {
      script.setAttribute(name, value);
    }
    script.textContent = old.textContent;
    old.replaceWith(script);
  });
  return box;
}

function picture(mime, data, metadata) {
  const box = document.createElement("div");
  box.className = "jp-RenderedImage";
  box.setAttribute("data-mime-type", mime);
  const img = document.createElement("img");
  img.src = `data:${mime};base64,${text(data).replace(/\n/g, "")}`;
  const size = (metadata && metadata[mime]) || {};
  if (size.width) img.width = size.width;
  if (size.height) img.height = size.height;
  box.appendChild(img);
  return box;
}

/** Draw one output (nbformat's JSON form) into ``host``. */
export async function renderOutput(out, manager, host) {
  const type = out.output_type;
  if (type === "stream") {
    const mime = out.name === "stderr" ? "application/vnd.jupyter.stderr" : "application/vnd.jupyter.stdout";
    host.appendChild(pre(text(out.text), mime));
    return;
  }
  if (type === "error") {
    const trace = (out.traceback || []).join("\n").replace(ANSI, "");
    host.appendChild(pre(trace || `${out.ename}: ${out.evalue}`, "application/vnd.jupyter.stderr"));
    return;
  }
  const data = out.data || {};
  if (data[WIDGET_VIEW] && manager) {
    // Straight into the host, as in JupyterLab: one more box between them would
    // let the tool grow wider than a phone's screen.
    host.classList.add("jupyter-widgets");
    await manager.show(data[WIDGET_VIEW].model_id, host);
    return;
  }
  if (data["text/html"] !== undefined) {
    host.appendChild(html(text(data["text/html"])));
  } else if (data["image/svg+xml"] !== undefined) {
    const box = html(text(data["image/svg+xml"]));
    box.className = "jp-RenderedSVG";
    host.appendChild(box);
  } else if (data["image/png"] !== undefined) {
    host.appendChild(picture("image/png", data["image/png"], out.metadata));
  } else if (data["image/jpeg"] !== undefined) {
    host.appendChild(picture("image/jpeg", data["image/jpeg"], out.metadata));
  } else if (data["text/plain"] !== undefined) {
    host.appendChild(pre(text(data["text/plain"]), "text/plain"));
  }
}

export class OutputModel extends outputBase.OutputModel {
  defaults() {
    return { ...super.defaults(), msg_id: "", outputs: [] };
  }

  initialize(attributes, options) {
    super.initialize(attributes, options);
    this._hook = null;
    this._clearNext = false;
    this.on("change:msg_id", this._follow, this);
    this._follow();
  }

  _follow() {
    const kernel = this.widget_manager.kernel;
    if (this._hook && kernel) {
      kernel.removeMessageHook(this._hook.msgId, this._hook.handler);
    }
    this._hook = null;
    const msgId = this.get("msg_id");
    if (msgId && kernel) {
      const handler = (msg) => {
        this._add(msg);
        return false; // handled here, as JupyterLab does: not shown elsewhere
      };
      kernel.registerMessageHook(msgId, handler);
      this._hook = { msgId, handler };
    }
  }

  _add(msg) {
    const type = msg.header.msg_type;
    const content = msg.content;
    let outputs = this.get("outputs").slice();
    if (type === "clear_output") {
      if (content.wait) {
        this._clearNext = true;
        return;
      }
      outputs = [];
    } else {
      if (this._clearNext) {
        outputs = [];
        this._clearNext = false;
      }
      if (type === "stream") {
        const last = outputs[outputs.length - 1];
        if (last && last.output_type === "stream" && last.name === content.name) {
          outputs[outputs.length - 1] = { ...last, text: text(last.text) + content.text };
        } else {
          outputs.push({ output_type: "stream", name: content.name, text: content.text });
        }
      } else if (type === "display_data" || type === "execute_result") {
        outputs.push({ output_type: type, data: content.data, metadata: content.metadata || {} });
      } else if (type === "error") {
        outputs.push({ output_type: "error", ename: content.ename, evalue: content.evalue, traceback: content.traceback });
      } else {
        return;
      }
    }
    this.set("outputs", outputs);
    this.save_changes();
  }
}

export class OutputView extends outputBase.OutputView {
  render() {
    super.render();
    this.el.classList.add("jupyter-widgets-output-area");
    this.listenTo(this.model, "change:outputs", this._draw);
    this._draw();
  }

  _draw() {
    const outputs = this.model.get("outputs") || [];
    const area = document.createElement("div");
    area.className = "jp-OutputArea";
    const drawn = outputs.map((out) => {
      const host = document.createElement("div");
      host.className = "jp-OutputArea-child";
      area.appendChild(host);
      return renderOutput(out, this.model.widget_manager, host);
    });
    this.el.replaceChildren(area);
    return Promise.all(drawn);
  }
}
