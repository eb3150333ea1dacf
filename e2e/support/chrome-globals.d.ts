/**
 * The few `chrome.*` calls the tests run inside the extension's service worker (worker.evaluate).
 * The e2e package does not depend on @types/chrome; these shapes are all it needs.
 */
declare namespace chrome {
  namespace storage {
    interface Area {
      get(key: string | string[] | null): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
    }
    const local: Area;
    const session: Area;
  }
  namespace tabs {
    function query(filter: Record<string, unknown>): Promise<{ id?: number }[]>;
  }
  namespace action {
    function getBadgeText(details: { tabId: number }): Promise<string>;
  }
}

declare namespace chrome.contextMenus {
  interface OnClickData {
    menuItemId: string;
    mediaType?: string;
    srcUrl?: string;
    pageUrl?: string;
    selectionText?: string;
  }
  /** `dispatch` runs the listeners the background registered, as a real click would. */
  const onClicked: { dispatch(info: OnClickData, tab: { id: number; title?: string; url?: string }): void };
}
