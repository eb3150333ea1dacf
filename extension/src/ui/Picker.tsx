import { useState } from "preact/hooks";

export interface PickerOption {
  value: string;
  label: string;
}

interface Props {
  label: string;
  name: string;
  value: string;
  options: PickerOption[];
  disabled?: boolean;
  /** First option, chosen by the empty value ("— none —"); without it an empty list shows "—". */
  noneLabel?: string;
  onChange(value: string): void;
  /** "+ New …" in place: the text typed becomes a new entry. */
  onCreate?(text: string): Promise<unknown>;
  createPlaceholder?: string;
}

/** One labelled select, with "+ New …" typed in place when the list may grow. */
export function Picker(props: Props) {
  const { label, name, value, options, disabled, noneLabel, onChange, onCreate, createPlaceholder } = props;
  const [creating, setCreating] = useState(false);
  const [text, setText] = useState("");
  const submit = async () => {
    const typed = text.trim();
    if (!typed || !onCreate) return;
    await onCreate(typed);
    setText("");
    setCreating(false);
  };
  return (
    <div class="picker">
      <label>
        {label}
        <select
          name={name}
          value={value}
          disabled={disabled || (options.length === 0 && noneLabel === undefined)}
          onChange={(e) => onChange(e.currentTarget.value)}
        >
          {noneLabel !== undefined && <option value="">{noneLabel}</option>}
          {noneLabel === undefined && options.length === 0 && <option value="">—</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      {onCreate && !creating && (
        <button
          type="button"
          class="link new"
          name={`new-${name}`}
          disabled={disabled}
          onClick={() => setCreating(true)}
        >
          + New {label.toLowerCase()}
        </button>
      )}
      {onCreate && creating && (
        <form
          class="create"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <input
            name={`new-${name}-text`}
            value={text}
            placeholder={createPlaceholder}
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <button type="submit">Add</button>
          <button type="button" class="link" onClick={() => setCreating(false)}>
            cancel
          </button>
        </form>
      )}
    </div>
  );
}
