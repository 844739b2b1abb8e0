/** EDXL documents shared by the exchange's tests and the fuzz target's seeds. */

export const CAP_DOC = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>vigil-edxl-1</identifier><sender>alerts@city.example</sender><sent>2026-12-03T12:00:00+00:00</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <category>Met</category><event>Flood</event>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
    <headline>Flash flood in Fontvieille</headline>
    <area><areaDesc>Fontvieille</areaDesc><circle>43.73,7.42 0.5</circle></area>
  </info>
</alert>`;

/** The JSON form as a national health hub writes it (single explicit address, embedded JSON message). */
export const HUB_JSON = JSON.stringify({
  distributionID: 'fr.health.samuA_2608323d-507d-4cbf-bf74-52007f8124ea',
  senderID: 'fr.health.samuA',
  dateTimeSent: '2026-12-03T12:00:00+01:00',
  dateTimeExpires: '2026-12-04T12:00:00+01:00',
  distributionStatus: 'Actual',
  distributionKind: 'Report',
  descriptor: { language: 'fr-FR', explicitAddress: { explicitAddressScheme: 'hubex', explicitAddressValue: 'fr.fire.sdis06' } },
  content: [
    { jsonContent: { embeddedJsonContent: { message: { createCase: { caseId: 'fr.health.samuA.DRFR15.2026.1', qualification: { whatHappens: 'fire' } } } } } },
  ],
});

export const HAVE_DOC = `<?xml version="1.0" encoding="UTF-8"?>
<have:HospitalStatus xmlns:have="urn:oasis:names:tc:emergency:EDXL:HAVE:2.0" xmlns:gml="http://www.opengis.net/gml/3.2">
  <have:Hospital>
    <have:Organization>
      <have:OrganizationInformation><have:OrganizationID>chpg</have:OrganizationID><have:OrganizationName>Centre Hospitalier Princesse Grace</have:OrganizationName></have:OrganizationInformation>
      <have:OrganizationGeoLocation><gml:Point><gml:pos>43.7325 7.4115</gml:pos></gml:Point></have:OrganizationGeoLocation>
    </have:Organization>
    <have:EmergencyDepartmentStatus><have:EMSTraffic><have:EMSTrafficStatus>Advisory</have:EMSTrafficStatus></have:EMSTraffic></have:EmergencyDepartmentStatus>
    <have:HospitalBedCapacityStatus>
      <have:BedCapacity><have:BedType>AdultICU</have:BedType><have:Capacity><have:CapacityStatus>VacantAvailable</have:CapacityStatus><have:AvailableCount>3</have:AvailableCount><have:BaselineCount>12</have:BaselineCount></have:Capacity></have:BedCapacity>
      <have:BedCapacity><have:BedType>Burn</have:BedType><have:Capacity><have:CapacityStatus>NotAvailable</have:CapacityStatus><have:AvailableCount>0</have:AvailableCount></have:Capacity></have:BedCapacity>
    </have:HospitalBedCapacityStatus>
    <have:LastUpdateTime>2026-12-03T11:55:00Z</have:LastUpdateTime>
  </have:Hospital>
</have:HospitalStatus>`;

export const RM_DOC = `<?xml version="1.0" encoding="UTF-8"?>
<RequestResource xmlns="urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg"><MessageID>rm-1</MessageID><SentDateTime>2026-12-03T12:00:00Z</SentDateTime><MessageContentType>RequestResource</MessageContentType><IncidentInformation><IncidentID>inc-1</IncidentID></IncidentInformation><ContactInformation><ContactRole>Sender</ContactRole><OrganizationName>Monaco Fire and Rescue</OrganizationName></ContactInformation><ContactInformation><ContactRole>Recipient</ContactRole><OrganizationName>Agency B (partner)</OrganizationName></ContactInformation><ResourceInformation><ResourceInfoElementID>1</ResourceInfoElementID><Resource><TypeInfo>ambulance</TypeInfo></Resource><AssignmentInformation><Quantity><MeasuredQuantity><Amount>2</Amount></MeasuredQuantity></Quantity></AssignmentInformation></ResourceInformation></RequestResource>`;
