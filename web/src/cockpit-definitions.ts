/**
 * The indicators' definitions in French, by indicator code: the catalogue (src/cockpit/catalogue/*.json) names
 * every indicator in English and French but defines it in English only. A definition missing here (an
 * indicator added to the catalogue later) is shown in English; test/ui/cockpit-definitions.test.ts says which.
 */
const ACK =
  'par signalement citoyen, heures entre sa réception et son premier tri (pris en compte, fusionné avec un autre, transformé en incident ou résolu) ; médiane et 90e centile des durées brutes, par mois du tri ; par quartier de sa position, district et ville.';
const RESOLVE =
  'par signalement citoyen résolu, heures entre sa réception et sa résolution avec une note publique ; médiane et 90e centile des durées brutes, par mois de résolution ; par quartier de sa position, district et ville.';
const ONLY = (who: string): string => ` Seuls les signalements des services dont ${who} est responsable (utilisable dans son accord d’indicateurs).`;
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export const DEFINITIONS_FR: Readonly<Record<string, string>> = {
  'iso37120.firefighters-per-100k': 'Nombre de sapeurs-pompiers professionnels à temps plein rapporté à la population de la ville, pour 100 000.',
  'iso37120.fire-deaths-per-100k': 'Décès liés aux incendies sur la période rapportés à la population, pour 100 000.',
  'iso37120.natural-hazard-deaths-per-100k': 'Décès liés aux catastrophes naturelles sur la période rapportés à la population, pour 100 000.',
  'iso37120.volunteer-firefighters-per-100k': 'Nombre de sapeurs-pompiers volontaires et à temps partiel rapporté à la population, pour 100 000.',
  'iso37120.emergency-response-time':
    'Durée entre l’appel initial et l’arrivée sur place de la première unité de secours, sur les incidents de la période. Vigil donne la médiane et le 90e centile des durées brutes (la statistique propre à la norme n’a pas pu être vérifiée).',
  'iso37120.fire-response-time':
    'Durée entre l’appel initial et l’arrivée sur place de la première unité incendie, sur les incidents incendie de la période (médiane et 90e centile des durées brutes).',
  'iso37120.police-officers-per-100k': 'Nombre de policiers rapporté à la population, pour 100 000.',
  'iso37120.homicides-per-100k': 'Homicides sur la période rapportés à la population, pour 100 000.',
  'iso37120.property-crimes-per-100k': 'Atteintes aux biens sur la période rapportées à la population, pour 100 000.',
  'iso37120.violent-crimes-per-100k': 'Crimes violents sur la période rapportés à la population, pour 100 000.',
  'iso37122.early-warning-coverage':
    'Habitants atteints par au moins un canal d’alerte public rapportés aux habitants, en pourcentage. Vigil compte un habitant comme atteint quand une sirène ou un haut-parleur est audible à son bâtiment ou qu’il s’est abonné avec au moins un canal personnel.',
  'iso37122.police-response-time':
    'Durée entre l’appel initial et la première unité de police sur place, sur les incidents de police (délit, trouble à l’ordre public, objet suspect) répartis par le système de répartition connecté de la ville (médiane et 90e centile des durées brutes).',
  'iso37123.warning-coverage-two-channels':
    'Habitants atteints par au moins deux classes de canaux d’alerte indépendantes (sirènes et haut-parleurs extérieurs ; SMS cellulaire ; e-mail et Web Push par internet) rapportés aux habitants, en pourcentage. Lecture plus stricte par Vigil de la couverture d’alerte précoce, pondérée par la population par construction (somme des habitants couverts sur somme des habitants).',
  'iso37123.natural-hazard-deaths-per-100k': 'Décès attribués aux aléas naturels sur la période rapportés à la population, pour 100 000.',
  'iso37123.population-near-fire-station':
    'Habitants dont le bâtiment se trouve dans l’isochrone de N minutes de route d’une caserne rapportés aux habitants, en pourcentage (N = 4 par défaut). Calculé par le moteur d’itinéraires : une recherche à sources multiples depuis les casernes du modèle de la ville sur le graphe routier, avec le trafic et les fermetures du moment, chaque bâtiment jugé au nœud routier le plus proche ; recalculé quand le trafic, les fermetures ou la ville changent. Pondéré par la population par construction (Σ habitants atteints / Σ habitants).',
  'u4ssc.disaster-prone-population': 'Pourcentage des habitants vivant dans une zone exposée aux aléas naturels.',
  'u4ssc.natural-disaster-deaths': 'Décès attribués aux catastrophes naturelles sur la période, pour 100 000 habitants.',
  'u4ssc.emergency-service-response-time':
    'Durée entre l’appel initial et l’arrivée sur place des services d’urgence (médiane et 90e centile des durées brutes).',
  'u4ssc.police-service': 'Nombre de policiers pour 100 000 habitants.',
  'u4ssc.fire-service': 'Nombre de sapeurs-pompiers pour 100 000 habitants.',
  'u4ssc.violent-crime-rate': 'Crimes violents sur la période pour 100 000 habitants.',
  'vigil.incident-response-time':
    'Par incident, secondes entre sa création et la première unité sur place ; médiane et 90e centile des durées brutes de la zone et de la période (jamais un centile de centiles de sous-zones).',
  'vigil.fire-response-time': 'Comme le délai d’intervention, sur les seuls incidents et unités incendie.',
  'vigil.alarm-ack-time':
    'Par alarme, secondes entre son déclenchement et son acquittement (une alarme clôturée sans acquittement compte sa clôture, comme la file des alarmes) ; médiane et 90e centile des durées brutes, par mois de déclenchement.',
  'vigil.false-alarm-rate':
    'Alarmes clôturées comme fausses (erreur d’utilisateur, panne d’équipement, environnement) rapportées à toutes les alarmes clôturées, en pourcentage, par mois de clôture ; sommes des comptes sur les sites, jamais une moyenne des taux des sites.',
  'vigil.alert-reach':
    'Messages envoyés aux destinataires rapportés aux messages mis en file, tous canaux de toutes les alertes de la période, en pourcentage.',
  'vigil.alert-time-to-90':
    'Par alerte émise, secondes entre l’émission et l’envoi de 90 % des messages mis en file pour ses destinataires ; médiane et 90e centile sur les alertes de la période.',
  'vigil.warning-coverage-two-channels':
    'Habitants atteints par au moins deux classes de canaux d’alerte indépendantes rapportés aux habitants, en pourcentage (état actuel). Classes : extérieur (une sirène à moins de 500 m ou un haut-parleur à moins de 100 m du bâtiment), cellulaire (un abonné avec un numéro de téléphone), internet (un abonné avec e-mail ou Web Push). Un abonné compte comme un habitant du bâtiment le plus proche de son domicile (à moins de 50 m).',
  'vigil.alert-reach-by-area':
    'Messages envoyés rapportés aux messages mis en file pour les destinataires que le répartiteur a placés dans la zone (e-mail, SMS, push, webhooks), toutes les alertes de la période, en pourcentage ; sommes des comptes jusqu’au district et à la ville. Les sirènes et la diffusion cellulaire atteignent des zones, pas des destinataires listés : voir la portée à l’échelle de la ville.',
  'vigil.alert-time-to-90-by-area':
    'Par alerte émise et par quartier, secondes entre l’émission et l’envoi de 90 % des messages mis en file pour ses destinataires de ce quartier ; médiane et 90e centile de ces échantillons bruts pour la zone (un district ou la ville sur les échantillons de ses quartiers).',
  'vigil.csirt-time-to-triage':
    'Par dossier du CSIRT de la ville, secondes entre l’ouverture et le tri (première attribution ou mise en cours ; un dossier clôturé sans tri compte sa clôture) ; médiane et 90e centile des durées brutes, par mois d’ouverture. Ville seulement : les dossiers sont confidentiels, leurs chiffres ne le sont pas.',
  'vigil.csirt-time-to-close':
    'Par dossier du CSIRT de la ville, secondes entre l’ouverture et la clôture avec une résolution ; médiane et 90e centile des durées brutes, par mois d’ouverture. Ville seulement.',
  'vigil.devices-known-exploited':
    'Équipements décrits dans la sécurité des équipements ayant une constatation ouverte (nouvelle ou confirmée) sur une vulnérabilité du catalogue CISA des vulnérabilités exploitées (KEV), rapportés aux équipements décrits, en pourcentage (état actuel). Ville seulement : les constatations sont confidentielles, ce chiffre ne l’est pas.',
  'vigil.device-patch-coverage':
    'Constatations de la sécurité des équipements (un équipement ou un composant de SBOM touché par une CVE) triées corrigées, atténuées ou non concernées, rapportées à toutes les constatations, en pourcentage (état actuel). Ville seulement.',
  'vigil.citizen-reports-rate':
    'Signalements citoyens reçus (Open311 et l’application citoyenne) sur la période, rapportés à la population résidente, pour 100 000 ; chaque signalement compte dans le quartier de sa position (et jusqu’à la ville).',
  'vigil.citizen-report-resolve-time': cap(RESOLVE),
  'vigil.citizen-report-ack-time': cap(ACK),
  'vigil.citizen-report-ack-time-city': cap(ACK) + ONLY('la ville'),
  'vigil.citizen-report-ack-time-police': cap(ACK) + ONLY('la police'),
  'vigil.citizen-report-ack-time-fire': cap(ACK) + ONLY('les pompiers'),
  'vigil.citizen-report-resolve-time-city': cap(RESOLVE) + ONLY('la ville'),
  'vigil.citizen-report-resolve-time-police': cap(RESOLVE) + ONLY('la police'),
  'vigil.citizen-report-resolve-time-fire': cap(RESOLVE) + ONLY('les pompiers'),
};

/** An indicator's definition in the reader's language (English when it has no French yet). */
export function definitionIn(lang: string, indicator: { id: string; definition: { text: string } }): string {
  return lang === 'fr' ? (DEFINITIONS_FR[indicator.id] ?? indicator.definition.text) : indicator.definition.text;
}
