declare module 'parse-prometheus-text-format' {
  /** Parses the Prometheus text exposition format into metric families (the package ships no types). */
  export default function parsePrometheusTextFormat(text: string): Array<{
    name: string;
    help: string;
    type: string;
    metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }>;
  }>;
}
