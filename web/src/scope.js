// A page's lifetime: everything a page starts (listeners, timers, subscriptions)
// is registered here and undone when the router leaves the page.

export function createScope() {
  const cleanups = [];
  let disposed = false;
  return {
    get disposed() {
      return disposed;
    },
    add(cleanup) {
      if (disposed) cleanup();
      else cleanups.push(cleanup);
      return cleanup;
    },
    interval(callback, ms) {
      const id = setInterval(callback, ms);
      this.add(() => clearInterval(id));
      return id;
    },
    dispose() {
      disposed = true;
      while (cleanups.length) {
        try {
          cleanups.pop()();
        } catch (error) {
          console.error("cleanup failed", error);
        }
      }
    },
  };
}
