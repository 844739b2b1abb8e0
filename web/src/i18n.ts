import { createContext, useContext } from 'react';

/** UI strings in the languages of the demo city. Keys are English; missing ones fall back to English. */
const fr: Record<string, string> = {
  'Sign in': 'Se connecter',
  Username: "Nom d'utilisateur",
  Password: 'Mot de passe',
  'Authenticator code': "Code de l'application d'authentification",
  'Sign out': 'Se déconnecter',
  Map: 'Carte',
  'Audit trail': "Journal d'audit",
  Administration: 'Administration',
  Security: 'Sécurité',
  'Live events': 'Événements en direct',
  Neighbourhoods: 'Quartiers',
  Sites: 'Sites',
  'Verify chain': 'Vérifier la chaîne',
  Organisations: 'Organisations',
  Users: 'Utilisateurs',
  'Data sharing': 'Partage de données',
  'API keys': 'Clés API',
  Layers: 'Couches',
  Connected: 'Connecté',
  Disconnected: 'Déconnecté',
  'Older entries': 'Entrées plus anciennes',
  'Import a city': 'Importer une ville',
};
const dictionaries: Record<string, Record<string, string>> = { en: {}, fr };
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
];

export const LanguageContext = createContext<{ lang: string; setLang: (l: string) => void }>({ lang: 'en', setLang: () => {} });

export function useT(): (key: string) => string {
  const { lang } = useContext(LanguageContext);
  return (key) => dictionaries[lang]?.[key] ?? key;
}
