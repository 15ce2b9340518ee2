/** The results panel's webview type (panel serializer and panel creation). */
export const RESULTS_VIEW_TYPE = 'superposition.results';
