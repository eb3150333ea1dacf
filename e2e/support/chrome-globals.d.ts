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
    function get(tabId: number): Promise<{ id?: number; url?: string; windowId?: number }>;
  }
  namespace alarms {
    function get(name: string): Promise<{ name: string; scheduledTime: number } | undefined>;
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

declare namespace chrome.commands {
  /** `dispatch` runs the listeners the background registered, as the keyboard shortcut would. */
  const onCommand: { dispatch(command: string, tab?: { id?: number; url?: string; windowId?: number }): void };
}
