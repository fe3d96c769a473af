/** A provider's mark: a self-hosted SVG in static/providers/ named after the provider's id. */
export const markSrc = (provider: string): string => `/static/providers/${provider}.svg`;

/** Decorative beside the provider's name, so it has no text alternative of its own. */
export function ProviderMark(props: { provider: string; size?: "small" }) {
  const px = props.size === "small" ? 28 : 40;
  return (
    <img
      class={props.size === "small" ? "provider-mark small" : "provider-mark"}
      src={markSrc(props.provider)}
      alt=""
      width={px}
      height={px}
    />
  );
}
