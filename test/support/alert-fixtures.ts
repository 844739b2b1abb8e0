/** A two-language flash-flood alert over Fontvieille, as an officer would write it. */
export const flood = {
  status: 'Actual',
  scope: 'Public',
  channels: ['email', 'sms', 'cap-feed'],
  info: [
    {
      language: 'fr-MC',
      category: ['Met'],
      event: 'Inondation',
      responseType: ['Evacuate'],
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      headline: 'Crue rapide à Fontvieille',
      description: 'Le port déborde.',
      instruction: 'Montez aux étages.',
      area: [{ areaDesc: 'Fontvieille', polygon: ['43.7270,7.4130 43.7310,7.4130 43.7310,7.4200 43.7270,7.4200 43.7270,7.4130'] }],
    },
    {
      language: 'en-GB',
      category: ['Met'],
      event: 'Flood',
      responseType: ['Evacuate'],
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      headline: 'Flash flood in Fontvieille',
      description: 'The harbour is overflowing.',
      instruction: 'Go upstairs.',
      area: [{ areaDesc: 'Fontvieille', polygon: ['43.7270,7.4130 43.7310,7.4130 43.7310,7.4200 43.7270,7.4200 43.7270,7.4130'] }],
    },
  ],
};
