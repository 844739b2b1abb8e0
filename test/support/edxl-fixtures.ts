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

/**
 * An EDXL-DE 2.0 envelope written by hand in the shape of the OASIS DE 2.0 examples (UpperCamel
 * names, status and kind in their default value lists, Descriptor, Content holding two
 * ContentObjects, the xlink/GSF/GML namespaces declared, a GML target area), with content of our
 * own: a partner's exercise evacuation alert (CAP 1.2) and a text attachment.
 */
export const DE2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<EDXLDistribution xlink:type="extended"
    xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0"
    xmlns:ct="urn:oasis:names:tc:emergency:edxl:ct:1.0"
    xmlns:edxl-gsf="urn:oasis:names:tc:emergency:edxl:gsf:1.0"
    xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:xlink="http://www.w3.org/1999/xlink">
  <DistributionID>riviera-dispatch/2026/0412</DistributionID>
  <SenderID>duty.officer@riviera-fire.example</SenderID>
  <DateTimeSent>2026-12-04T21:15:00+01:00</DateTimeSent>
  <DateTimeExpires>2026-12-04T23:15:00+01:00</DateTimeExpires>
  <DistributionStatus>
    <StatusKindDefault>
      <ct:ValueListURI>urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:StatusKind</ct:ValueListURI>
      <ct:Value>Exercise</ct:Value>
    </StatusKindDefault>
  </DistributionStatus>
  <DistributionKind>
    <DistributionKindDefault>
      <ct:ValueListURI>urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:DistributionType</ct:ValueListURI>
      <ct:Value>Update</ct:Value>
    </DistributionKindDefault>
  </DistributionKind>
  <Descriptor>
    <Language>en-GB</Language>
    <SenderRole>
      <ct:ValueListURI>urn:riviera-fire:roles</ct:ValueListURI>
      <ct:Value>duty officer</ct:Value>
    </SenderRole>
    <Keyword>
      <ct:ValueListURI>urn:riviera-fire:topics</ct:ValueListURI>
      <ct:Value>wildfire</ct:Value>
      <ct:Value>evacuation</ct:Value>
    </Keyword>
    <DistributionReference>riviera-dispatch/2026/0411,duty.officer@riviera-fire.example,2026-12-04T20:40:00+01:00</DistributionReference>
    <ExplicitAddress>
      <ExplicitAddressScheme>urn:vigil:agency</ExplicitAddressScheme>
      <ExplicitAddressValue>city-a</ExplicitAddressValue>
      <ExplicitAddressValue>agency-c</ExplicitAddressValue>
    </ExplicitAddress>
  </Descriptor>
  <TargetArea>
    <gml:Point gml:id="carei-upper"><gml:pos>43.79 7.49</gml:pos></gml:Point>
  </TargetArea>
  <Content xlink:type="resource">
    <ContentObject>
      <ContentDescriptor>
        <ContentDescription>Evacuation advice for the upper Carei valley</ContentDescription>
        <ContentKeyword>
          <ct:ValueListURI>urn:vigil:content</ct:ValueListURI>
          <ct:Value>cap</ct:Value>
        </ContentKeyword>
        <IncidentID>RF-2026-0412</IncidentID>
      </ContentDescriptor>
      <ContentXML>
        <EmbeddedXMLContent>
          <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
            <identifier>riviera-fire-exercise-77</identifier>
            <sender>duty.officer@riviera-fire.example</sender>
            <sent>2026-12-04T21:14:00+01:00</sent>
            <status>Exercise</status>
            <msgType>Alert</msgType>
            <scope>Public</scope>
            <info>
              <category>Fire</category>
              <event>Wildfire</event>
              <urgency>Expected</urgency>
              <severity>Severe</severity>
              <certainty>Likely</certainty>
              <headline>Exercise: leave the upper Carei valley by the coast road</headline>
              <area><areaDesc>Upper Carei valley</areaDesc><circle>43.79,7.49 3</circle></area>
            </info>
          </alert>
        </EmbeddedXMLContent>
      </ContentXML>
    </ContentObject>
    <ContentObject>
      <ContentDescriptor>
        <ContentDescription>Assembly points</ContentDescription>
      </ContentDescriptor>
      <NonXMLContent>
        <MIMEType>text/plain</MIMEType>
        <Size>31</Size>
        <ContentData>U3RhZGl1bSwgbWFyaW5hLCBzdGF0aW9uIHNxdWFyZQ==</ContentData>
      </NonXMLContent>
    </ContentObject>
  </Content>
</EDXLDistribution>`;

/** An envelope as Vigil wrote its XML form before it followed DE 2.0 (generated by that code): stored and older partners' messages look like this. */
export const VIGIL_EARLIER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0" xmlns:ct="urn:oasis:names:tc:emergency:edxl:ct:1.0"><distributionID>old-7</distributionID><senderID>city-a</senderID><dateTimeSent>2026-11-20T08:00:00Z</dateTimeSent><dateTimeExpires>2026-11-21T08:00:00Z</dateTimeExpires><distributionStatus><ct:ValueListURI>urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:StatusKind</ct:ValueListURI><ct:Value>Actual</ct:Value></distributionStatus><distributionKind><ct:ValueListURI>urn:oasis:names:tc:emergency:EDXL:DE:2.0:Defaults:DistributionType</ct:ValueListURI><ct:Value>Update</ct:Value></distributionKind><language>fr</language><keyword><ct:ValueListURI>urn:vigil:content</ct:ValueListURI><ct:Value>incident</ct:Value></keyword><distributionReference>old-6,city-a,2026-11-20T07:00:00Z</distributionReference><explicitAddress><explicitAddressScheme>urn:vigil:agency</explicitAddressScheme><explicitAddressValue>agency-b</explicitAddressValue></explicitAddress><targetArea><circle>43.7,7.4 2</circle></targetArea><content><contentObject><contentDescriptor><contentDescription>note</contentDescription><incidentID>inc_9</incidentID></contentDescriptor><xmlContent><embeddedXMLContent><note xmlns="urn:example">kept</note></embeddedXMLContent></xmlContent></contentObject></content><content><contentObject><nonXMLContent><mimeType>application/json</mimeType><contentData>eyJ2aWdpbCI6ImluY2lkZW50IiwibiI6MX0=</contentData></nonXMLContent></contentObject></content><content><contentObject><nonXMLContent><mimeType>text/plain</mimeType><contentData>aGVsbG8=</contentData></nonXMLContent></contentObject></content></EDXLDistribution>`;

/** The XML a national hub writes (lower-camel names under the DE 2.0 namespace, status and kind as plain text, a descriptor, contentXML), with a message of our own. */
export const HUB_XML = `<?xml version="1.0" encoding="UTF-8"?>
<EDXLDistribution xlink:type="extended" xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0" xmlns:xlink="http://www.w3.org/1999/xlink">
  <distributionID>fr.fire.sdis06_5c1e</distributionID>
  <senderID>fr.fire.sdis06</senderID>
  <dateTimeSent>2026-12-04T22:00:00+01:00</dateTimeSent>
  <dateTimeExpires>2026-12-05T22:00:00+01:00</dateTimeExpires>
  <distributionStatus>Actual</distributionStatus>
  <distributionKind>Report</distributionKind>
  <descriptor xlink:type="resource">
    <language>fr-FR</language>
    <explicitAddress>
      <explicitAddressScheme>hubex</explicitAddressScheme>
      <explicitAddressValue>fr.health.samu06</explicitAddressValue>
    </explicitAddress>
  </descriptor>
  <content xlink:type="resource">
    <contentObject xlink:type="resource">
      <contentXML>
        <embeddedXMLContent>
          <message xmlns="urn:example:hub:message"><caseId>sdis06-2026-4410</caseId><what>chimney fire</what></message>
        </embeddedXMLContent>
      </contentXML>
    </contentObject>
  </content>
</EDXLDistribution>`;
