// A tool page's front end.
//
// The server has already run the tool's notebook in a kernel and written its
// outputs into the page (``<script type="application/vnd.voila.cell-output+json">``),
// and the state of every widget as it saw it while the notebook ran (the
// snapshot, ``scripts/serve.py``). This script draws the widgets from the
// snapshot in place of those outputs at once, connects to the kernel, and asks
// it how many widget messages it has sent: if the kernel sent any the snapshot
// does not hold, it asks the kernel for the state of every widget (ipywidgets'
// own protocol, as any Jupyter front end does), as it does when a page has no
// snapshot. It holds only what the tools need:
// ipywidgets' controls, an output area, the kernel connection and, for the one
// tool that uses it, anywidget (loaded only on that page). It replaces
// JupyterLab's application shell, editors and formula typesetting, which a tool
// page never shows: about a sixth of the bytes.

import { ManagerBase } from "@jupyter-widgets/base-manager";
import * as base from "@jupyter-widgets/base";
import * as controls from "@jupyter-widgets/controls";
import { KernelConnection } from "@jupyterlab/services/lib/kernel/default";
import { getKernelModel } from "@jupyterlab/services/lib/kernel/restapi";
import { ServerConnection } from "@jupyterlab/services/lib/serverconnection";
import { Widget } from "@lumino/widgets";
import * as output from "./output.js";
import "@jupyter-widgets/controls/css/widgets-base.css";

const CELL_OUTPUT = 'script[type="application/vnd.voila.cell-output+json"]';
// How long to wait for the kernel's answer with every widget's state.
const STATE_WAIT_MS = 90000;
const SNAPSHOT = "phcpm-widget-snapshot";
// The kernel's count of its widget messages (widgets/message_count.py).
const COUNT_TARGET = "phcpm.widget_messages";

function readSnapshot() {
  const node = document.getElementById(SNAPSHOT);
  if (!node) {
    return null;
  }
  try {
    const snapshot = JSON.parse(node.textContent);
    return snapshot && snapshot.widgets ? snapshot : null;
  } catch (error) {
    console.warn(`The widgets' snapshot could not be read: ${error}`);
    return null;
  }
}

// The widgets the notebook's outputs show: a snapshot without any of them cannot
// draw the page (the server did not see them made).
function shownWidgets() {
  const ids = [];
  document.querySelectorAll(CELL_OUTPUT).forEach((script) => {
    try {
      const view = (JSON.parse(script.textContent).data || {})[
        "application/vnd.jupyter.widget-view+json"
      ];
      if (view && view.model_id) {
        ids.push(view.model_id);
      }
    } catch (error) {
      // drawOutputs says so where the output should be
    }
  });
  return ids;
}

function decodeBase64(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new DataView(bytes.buffer);
}

function pageConfig() {
  const node = document.getElementById("jupyter-config-data");
  return node ? JSON.parse(node.textContent) : {};
}

async function loadAnywidget() {
  // anywidget ships as an AMD module asking for ipywidgets' base package.
  let factory = null;
  const previous = globalThis.define;
  globalThis.define = (deps, make) => {
    factory = make;
  };
  globalThis.define.amd = true;
  try {
    await import("./anywidget-entry.js");
  } finally {
    globalThis.define = previous;
  }
  if (!factory) {
    throw new Error("anywidget did not load");
  }
  return factory(base);
}

export class PageManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    this._anywidget = null;
    kernel.registerCommTarget(this.comm_target_name, async (comm, msg) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), msg);
    });
  }

  async loadClass(className, moduleName, moduleVersion) {
    let module;
    if (moduleName === "@jupyter-widgets/base") {
      module = base;
    } else if (moduleName === "@jupyter-widgets/controls") {
      module = controls;
    } else if (moduleName === "@jupyter-widgets/output") {
      module = output;
    } else if (moduleName === "anywidget") {
      this._anywidget = this._anywidget || loadAnywidget();
      module = await this._anywidget;
    }
    const found = module && module[className];
    if (!found) {
      throw new Error(`Class ${className} not found in module ${moduleName}@${moduleVersion}`);
    }
    return found;
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }

  /**
   * Ask the kernel for the state of every widget at once, and make the models.
   *
   * ipywidgets' own version of this waits 4 s for the answer and then asks for
   * every widget one by one, which on a slow link (a 200 kB answer takes about
   * 5 s at 400 kbit/s) sends everything twice. This page's kernel always has
   * the control channel (ipywidgets 8), so it waits as long as the answer
   * takes to arrive; it asks widget by widget only if the kernel closes the
   * channel or has not answered within STATE_WAIT_MS.
   */
  async loadFromKernel() {
    let reply;
    try {
      reply = await this._requestStates();
    } catch (error) {
      console.warn(`Widget states one by one: ${error}`);
      return this._loadFromKernelModels();
    }
    const { states, buffer_paths: paths = [] } = reply.data;
    const byWidget = {};
    paths.forEach(([widgetId, ...path], i) => {
      const entry = (byWidget[widgetId] = byWidget[widgetId] || { paths: [], buffers: [] });
      entry.paths.push(path);
      entry.buffers.push(reply.buffers[i]);
    });
    const ids = Object.keys(states);
    // Comms first, so that every model is registered before any of them is made
    // (a box's model refers to its children's).
    const comms = await Promise.all(
      ids.map((id) => (this.has_model(id) ? null : this._create_comm(this.comm_target_name, id))),
    );
    await Promise.all(
      ids.map(async (id, i) => {
        const { model_name, model_module, model_module_version, state } = states[id];
        if (byWidget[id]) {
          base.put_buffers(state, byWidget[id].paths, byWidget[id].buffers);
        }
        try {
          if (comms[i]) {
            await this.new_model(
              { model_name, model_module, model_module_version, model_id: id, comm: comms[i] },
              state,
            );
          } else {
            const model = await this.get_model(id);
            model.set_state(await model.constructor._deserialize_state(state, this));
          }
        } catch (error) {
          console.error(error); // the other widgets are still drawn
        }
      }),
    );
  }

  /**
   * Make every widget's model from the page's snapshot, without the kernel.
   *
   * Each model gets its channel to the kernel (nothing is sent on it yet);
   * messages the page sends before the connection is open wait for it.
   */
  async loadFromSnapshot(snapshot) {
    const ids = Object.keys(snapshot.widgets);
    const comms = await Promise.all(
      ids.map((id) => (this.has_model(id) ? null : this._create_comm(this.comm_target_name, id))),
    );
    await Promise.all(
      ids.map(async (id, i) => {
        if (!comms[i]) {
          return;
        }
        const state = snapshot.widgets[id];
        const buffers = (snapshot.buffers || {})[id] || [];
        if (buffers.length) {
          base.put_buffers(
            state,
            buffers.map((b) => b.path),
            buffers.map((b) => decodeBase64(b.data)),
          );
        }
        try {
          await this.new_model(
            {
              model_name: state._model_name,
              model_module: state._model_module,
              model_module_version: state._model_module_version,
              model_id: id,
              comm: comms[i],
            },
            state,
          );
        } catch (error) {
          console.error(error); // the other widgets are still drawn
        }
      }),
    );
  }

  /**
   * Does the snapshot hold everything the kernel has sent? If the kernel has
   * sent more widget messages than the snapshot counted (or cannot say), ask
   * it for every widget's state and bring the page up to date.
   */
  async checkSnapshot(snapshot) {
    let count = null;
    try {
      count = await this._askCount();
    } catch (error) {
      console.warn(`The kernel could not say what it has sent: ${error}`);
    }
    if (count === snapshot.count) {
      return true;
    }
    await this.loadFromKernel();
    return false;
  }

  async _askCount() {
    const comm = await this._create_comm(COUNT_TARGET, base.uuid(), {}, {});
    try {
      return await new Promise((resolve, reject) => {
        comm.on_msg((msg) => resolve(msg.content.data.count));
        comm.on_close(() => reject("the kernel does not count its widget messages"));
        setTimeout(() => reject("no answer from the kernel"), STATE_WAIT_MS);
      });
    } finally {
      comm.close();
    }
  }

  async _requestStates() {
    const comm = await this._create_comm(
      "jupyter.widget.control",
      base.uuid(),
      {},
      { version: "1.0.0" },
    );
    try {
      return await new Promise((resolve, reject) => {
        comm.on_msg((msg) => {
          const data = msg.content.data;
          if (data.method !== "update_states") {
            return;
          }
          const buffers = (msg.buffers || []).map((b) =>
            b instanceof DataView ? b : new DataView(b instanceof ArrayBuffer ? b : b.buffer),
          );
          resolve({ data, buffers });
        });
        comm.on_close(() => reject("the kernel closed the control channel"));
        comm.send({ method: "request_states" }, {});
        setTimeout(() => reject("no answer from the kernel"), STATE_WAIT_MS);
      });
    } finally {
      comm.close();
    }
  }

  /** Draw the widget ``modelId`` inside ``host``. */
  async show(modelId, host) {
    const model = await this.get_model(modelId);
    const view = await this.create_view(model);
    Widget.attach(view.luminoWidget, host);
    return view;
  }
}

function showError(host, text) {
  const pre = document.createElement("pre");
  pre.className = "jp-RenderedText";
  pre.setAttribute("data-mime-type", "application/vnd.jupyter.stderr");
  pre.textContent = text;
  host.appendChild(pre);
}

async function drawOutputs(manager) {
  const drawn = [];
  document.querySelectorAll(CELL_OUTPUT).forEach((script) => {
    const host = document.createElement("div");
    host.className = "jp-OutputArea-output";
    script.replaceWith(host);
    let out;
    try {
      out = JSON.parse(script.textContent);
    } catch (error) {
      showError(host, `This part of the page could not be read: ${error.message}`);
      return;
    }
    drawn.push(
      output.renderOutput(out, manager, host).catch((error) => {
        showError(host, `This part of the page could not be drawn: ${error.message}`);
      }),
    );
  });
  await Promise.all(drawn);
}

// Voila's page keeps its cells hidden behind a spinner until the page says the
// theme is in place (its stylesheets are in the page's head here).
function reveal() {
  window.themeLoaded = true;
  if (window.cellLoaded && window.voila_finish) {
    window.voila_finish();
  }
}

async function start() {
  if (window.update_loading_text) {
    window.update_loading_text(0, 0, "Opening the tool…");
  }
  const config = pageConfig();
  const baseUrl = config.baseUrl || "/";
  const settings = ServerConnection.makeSettings({ baseUrl });
  const kernelId = config.kernelId;
  let snapshot = readSnapshot();
  if (snapshot && !shownWidgets().every((id) => id in snapshot.widgets)) {
    console.warn("The widgets' snapshot misses a widget the page shows: asking the kernel.");
    snapshot = null;
  }
  let manager = null;
  let checked = Promise.resolve(null);
  if (kernelId) {
    // Is the kernel still there? Asked while the page draws from its snapshot.
    const alive = getKernelModel(kernelId, settings).then(
      (model) => model,
      () => ({ id: kernelId, name: "" }), // the server could not say: try to connect
    );
    const model = snapshot ? { id: kernelId, name: "" } : await alive;
    if (model) {
      const kernel = new KernelConnection({ model, serverSettings: settings });
      manager = new PageManager(kernel);
      window.addEventListener("pagehide", (event) => {
        // Tell the server the page has gone, so that its kernel is closed at
        // once (Voila's own front end does this on "beforeunload", which also
        // comes when the person then chooses to stay on the page). A page kept
        // by the browser to come back to (``persisted``) keeps its kernel; the
        // server closes it after the grace period if it does not come back.
        if (event.persisted) {
          return;
        }
        const form = new FormData();
        const xsrf = document.cookie.match("\\b_xsrf=([^;]*)\\b");
        form.append("_xsrf", (xsrf && xsrf[1]) || "");
        navigator.sendBeacon(`${baseUrl}voila/api/shutdown/${kernel.id}`, form);
        kernel.dispose();
      });
      if (snapshot) {
        await manager.loadFromSnapshot(snapshot);
        checked = alive.then((found) => {
          if (!found) {
            kernelGone(kernel);
            return null;
          }
          return manager.checkSnapshot(snapshot);
        });
      } else {
        await manager.loadFromKernel();
      }
    } else {
      kernelGone(null);
    }
  }
  // What the page did, for its tests: drawn from a snapshot? did the kernel
  // agree with it (null until it has answered)?
  window.phcpmPage = { manager, ready: false, snapshot: Boolean(snapshot), checked: null };
  const drawn = drawOutputs(manager);
  reveal();
  await drawn;
  window.phcpmPage.ready = true;
  window.phcpmPage.checked = await checked;
}

// The kernel that ran this page's notebook has gone: say so, and keep the
// controls drawn from the snapshot from being used (they would do nothing).
function kernelGone(kernel) {
  if (kernel) {
    kernel.dispose();
  }
  const cells = document.getElementById("rendered_cells") || document.body;
  cells.querySelectorAll(".jp-OutputArea-output").forEach((host) => {
    host.inert = true;
    host.style.opacity = "0.5";
  });
  const note = document.createElement("div");
  cells.prepend(note);
  showError(
    note,
    "This page's tool has stopped on the server (the page was left unused for a while, " +
      "or the server was restarted). Reload the page to start the tool again.",
  );
}

start().catch((error) => {
  console.error(error);
  reveal();
  const cells = document.getElementById("rendered_cells") || document.body;
  showError(cells, `The page could not reach its tool: ${error.message}. Reload the page.`);
});
