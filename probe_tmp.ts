import { Miniflare } from "miniflare";
const t0 = performance.now();
const mf = new Miniflare({
  modules: true,
  scriptPath: "/tmp/wbuild/worker.js",
  modulesRoot: "/tmp/wbuild",
  compatibilityDate: "2026-07-30",
  bindings: { APP_ENV: "production" },
  assets: {
    directory: "static",
    binding: "ASSETS",
    routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
  },
});
const url = await mf.ready;
console.log("ready", url.href, performance.now() - t0);
for (const p of ["/", "/static/app.css", "/app.css", "/health"]) {
  const r = await fetch(new URL(p, url));
  console.log(p, r.status, r.headers.get("content-type"), (await r.text()).slice(0, 200));
}
await mf.dispose();
