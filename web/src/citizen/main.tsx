import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'maplibre-gl/dist/maplibre-gl.css';
import '../styles.css';
import './citizen.css';
import { LanguageContext } from '../i18n.js';
import { CitizenApp } from './CitizenApp.js';
import { registerWorker } from './push.js';

function Root() {
  const [lang, setLang] = useState(() => {
    const initial = localStorage.getItem('vigil.lang') ?? (navigator.language.startsWith('fr') ? 'fr' : 'en');
    // Before the first render's effects: a map mounted at once takes its controls' language from <html lang>.
    document.documentElement.lang = initial;
    return initial;
  });
  const [timeZone, setTimeZone] = useState('Europe/Monaco');
  useEffect(() => {
    fetch('/api/city')
      .then((r) => (r.ok ? (r.json() as Promise<{ timeZone: string }>) : null))
      .then(
        (c) => c && setTimeZone(c.timeZone),
        () => {},
      );
  }, []);
  useEffect(() => {
    localStorage.setItem('vigil.lang', lang);
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <LanguageContext.Provider value={{ lang, setLang, timeZone }}>
      <CitizenApp lang={lang} setLang={setLang} />
    </LanguageContext.Provider>
  );
}

// The worker keeps the app and the last alerts for offline use, and shows pushed warnings.
registerWorker().catch((e: unknown) => console.warn('service worker not registered', e));
createRoot(document.getElementById('root')!).render(<Root />);
