/** The public face of the city cockpit: indicators, statistics, peers, agreements and the event map. */
export * from './model.js';
