"""The terms of the W3C vocabularies councilkg reuses, which close their namespaces in ``councilkg.model.iris`` as
rdflib's ``DefinedNamespace`` classes close them (``rdflib/namespace/_ORG.py``).

Each list is the one rdflib 7.6 gives for its vocabulary (tests/test_ontology.py checks that they are still the
same, and prints the list to put here when rdflib's changes). They are kept here so that a process that only
queries does not import rdflib to know them. schema.org is left open in ``iris``: its 2,767 terms are no list to
keep here, and the test checks each schema.org term the code uses against rdflib's.
"""

ORG = (
    "ChangeEvent", "FormalOrganization", "Head", "Membership", "Organization", "OrganizationalCollaboration", "OrganizationalUnit",
    "Post", "Role", "Site", "basedAt", "changedBy", "classification", "hasMember", "hasMembership", "hasPost", "hasPrimarySite",
    "hasRegisteredSite", "hasSite", "hasSubOrganization", "hasUnit", "headOf", "heldBy", "holds", "identifier", "linkedTo", "location",
    "member", "memberDuring", "memberOf", "organization", "originalOrganization", "postIn", "purpose", "remuneration", "reportsTo",
    "resultedFrom", "resultingOrganization", "role", "roleProperty", "siteAddress", "siteOf", "subOrganizationOf",
    "transitiveSubOrganizationOf", "unitOf",
)

FOAF = (
    "Agent", "Document", "Group", "Image", "LabelProperty", "OnlineAccount", "OnlineChatAccount", "OnlineEcommerceAccount",
    "OnlineGamingAccount", "Organization", "Person", "PersonalProfileDocument", "Project", "account", "accountName",
    "accountServiceHomepage", "age", "aimChatID", "based_near", "birthday", "currentProject", "depiction", "depicts", "dnaChecksum",
    "familyName", "family_name", "firstName", "focus", "fundedBy", "geekcode", "gender", "givenName", "givenname", "holdsAccount",
    "homepage", "icqChatID", "img", "interest", "isPrimaryTopicOf", "jabberID", "knows", "lastName", "logo", "made", "maker", "mbox",
    "mbox_sha1sum", "member", "membershipClass", "msnChatID", "myersBriggs", "name", "nick", "openid", "page", "pastProject", "phone",
    "plan", "primaryTopic", "publications", "schoolHomepage", "sha1", "skypeID", "status", "surname", "theme", "thumbnail", "tipjar",
    "title", "topic", "topic_interest", "weblog", "workInfoHomepage", "workplaceHomepage", "yahooChatID",
)

PROV = (
    "Accept", "Activity", "ActivityInfluence", "Agent", "AgentInfluence", "Association", "Attribution", "Bundle", "Collection",
    "Communication", "Contribute", "Contributor", "Copyright", "Create", "Creator", "Delegation", "Derivation", "Dictionary",
    "DirectQueryService", "EmptyCollection", "EmptyDictionary", "End", "Entity", "EntityInfluence", "Generation", "Influence",
    "Insertion", "InstantaneousEvent", "Invalidation", "KeyEntityPair", "Location", "Modify", "Organization", "Person", "Plan",
    "PrimarySource", "Publish", "Publisher", "Quotation", "Removal", "Replace", "Revision", "RightsAssignment", "RightsHolder", "Role",
    "ServiceDescription", "SoftwareAgent", "Start", "Submit", "Usage", "actedOnBehalfOf", "activity", "activityOfInfluence", "agent",
    "agentOfInfluence", "alternateOf", "aq", "asInBundle", "atLocation", "atTime", "category", "component", "constraints",
    "contributed", "definition", "derivedByInsertionFrom", "derivedByRemovalFrom", "describesService", "dictionary", "dm",
    "editorialNote", "editorsDefinition", "ended", "endedAtTime", "entity", "entityOfInfluence", "generalizationOf", "generated",
    "generatedAsDerivation", "generatedAtTime", "hadActivity", "hadDelegate", "hadDerivation", "hadDictionaryMember", "hadGeneration",
    "hadInfluence", "hadMember", "hadPlan", "hadPrimarySource", "hadRevision", "hadRole", "hadUsage", "has_anchor", "has_provenance",
    "has_query_service", "influenced", "influencer", "informed", "insertedKeyEntityPair", "invalidated", "invalidatedAtTime", "inverse",
    "locationOf", "mentionOf", "n", "order", "pairEntity", "pairKey", "pingback", "provenanceUriTemplate", "qualifiedAssociation",
    "qualifiedAssociationOf", "qualifiedAttribution", "qualifiedAttributionOf", "qualifiedCommunication", "qualifiedCommunicationOf",
    "qualifiedDelegation", "qualifiedDelegationOf", "qualifiedDerivation", "qualifiedDerivationOf", "qualifiedEnd", "qualifiedEndOf",
    "qualifiedForm", "qualifiedGeneration", "qualifiedGenerationOf", "qualifiedInfluence", "qualifiedInfluenceOf", "qualifiedInsertion",
    "qualifiedInvalidation", "qualifiedInvalidationOf", "qualifiedPrimarySource", "qualifiedQuotation", "qualifiedQuotationOf",
    "qualifiedRemoval", "qualifiedRevision", "qualifiedSourceOf", "qualifiedStart", "qualifiedStartOf", "qualifiedUsage",
    "qualifiedUsingActivity", "quotedAs", "removedKey", "revisedEntity", "sharesDefinitionWith", "specializationOf", "started",
    "startedAtTime", "todo", "unqualifiedForm", "used", "value", "wasActivityOfInfluence", "wasAssociateFor", "wasAssociatedWith",
    "wasAttributedTo", "wasDerivedFrom", "wasEndedBy", "wasGeneratedBy", "wasInfluencedBy", "wasInformedBy", "wasInvalidatedBy",
    "wasMemberOf", "wasPlanOf", "wasPrimarySourceOf", "wasQuotedFrom", "wasRevisionOf", "wasRoleIn", "wasStartedBy", "wasUsedBy",
    "wasUsedInDerivation",
)

SKOS = (
    "Collection", "Concept", "ConceptScheme", "OrderedCollection", "altLabel", "broadMatch", "broader", "broaderTransitive",
    "changeNote", "closeMatch", "definition", "editorialNote", "exactMatch", "example", "hasTopConcept", "hiddenLabel", "historyNote",
    "inScheme", "mappingRelation", "member", "memberList", "narrowMatch", "narrower", "narrowerTransitive", "notation", "note",
    "prefLabel", "related", "relatedMatch", "scopeNote", "semanticRelation", "topConceptOf",
)

TIME = (
    "DateTimeDescription", "DateTimeInterval", "DayOfWeek", "Duration", "DurationDescription", "Friday", "GeneralDateTimeDescription",
    "GeneralDurationDescription", "Instant", "Interval", "January", "Monday", "MonthOfYear", "ProperInterval", "Saturday", "Sunday",
    "TRS", "TemporalDuration", "TemporalEntity", "TemporalPosition", "TemporalUnit", "Thursday", "TimePosition", "TimeZone", "Tuesday",
    "Wednesday", "Year", "after", "before", "day", "dayOfWeek", "dayOfYear", "days", "generalDay", "generalMonth", "generalYear",
    "hasBeginning", "hasDateTimeDescription", "hasDuration", "hasDurationDescription", "hasEnd", "hasTRS", "hasTemporalDuration",
    "hasTime", "hasXSDDuration", "hour", "hours", "inDateTime", "inTemporalPosition", "inTimePosition", "inXSDDate", "inXSDDateTime",
    "inXSDDateTimeStamp", "inXSDgYear", "inXSDgYearMonth", "inside", "intervalAfter", "intervalBefore", "intervalContains",
    "intervalDisjoint", "intervalDuring", "intervalEquals", "intervalFinishedBy", "intervalFinishes", "intervalIn", "intervalMeets",
    "intervalMetBy", "intervalOverlappedBy", "intervalOverlaps", "intervalStartedBy", "intervalStarts", "minute", "minutes", "month",
    "monthOfYear", "months", "nominalPosition", "numericDuration", "numericPosition", "second", "seconds", "timeZone", "unitDay",
    "unitHour", "unitMinute", "unitMonth", "unitSecond", "unitType", "unitWeek", "unitYear", "week", "weeks", "xsdDateTime", "year",
    "years",
)

DCTERMS = (
    "Agent", "AgentClass", "BibliographicResource", "Box", "DCMIType", "DDC", "FileFormat", "Frequency", "IMT", "ISO3166", "ISO639-2",
    "ISO639-3", "Jurisdiction", "LCC", "LCSH", "LicenseDocument", "LinguisticSystem", "Location", "LocationPeriodOrJurisdiction",
    "MESH", "MediaType", "MediaTypeOrExtent", "MethodOfAccrual", "MethodOfInstruction", "NLM", "Period", "PeriodOfTime",
    "PhysicalMedium", "PhysicalResource", "Point", "Policy", "ProvenanceStatement", "RFC1766", "RFC3066", "RFC4646", "RFC5646",
    "RightsStatement", "SizeOrDuration", "Standard", "TGN", "UDC", "URI", "W3CDTF", "abstract", "accessRights", "accrualMethod",
    "accrualPeriodicity", "accrualPolicy", "alternative", "audience", "available", "bibliographicCitation", "conformsTo", "contributor",
    "coverage", "created", "creator", "date", "dateAccepted", "dateCopyrighted", "dateSubmitted", "description", "educationLevel",
    "extent", "format", "hasFormat", "hasPart", "hasVersion", "identifier", "instructionalMethod", "isFormatOf", "isPartOf",
    "isReferencedBy", "isReplacedBy", "isRequiredBy", "isVersionOf", "issued", "language", "license", "mediator", "medium", "modified",
    "provenance", "publisher", "references", "relation", "replaces", "requires", "rights", "rightsHolder", "source", "spatial",
    "subject", "tableOfContents", "temporal", "title", "type", "valid",
)

RDFS = (
    "Class", "Container", "ContainerMembershipProperty", "Datatype", "Literal", "Resource", "comment", "domain", "isDefinedBy", "label",
    "member", "range", "seeAlso", "subClassOf", "subPropertyOf",
)

XSD = (
    "Assertions", "ENTITIES", "ENTITY", "ID", "IDREF", "IDREFS", "NCName", "NMTOKEN", "NMTOKENS", "NOTATION", "Name", "QName", "anyURI",
    "base64Binary", "boolean", "bounded", "byte", "cardinality", "date", "dateTime", "dateTimeStamp", "day", "dayTimeDuration",
    "decimal", "double", "duration", "enumeration", "explicitTimezone", "float", "fractionDigits", "gDay", "gMonth", "gMonthDay",
    "gYear", "gYearMonth", "hexBinary", "hour", "int", "integer", "language", "length", "long", "maxExclusive", "maxInclusive",
    "maxLength", "minExclusive", "minInclusive", "minLength", "minute", "month", "negativeInteger", "nonNegativeInteger",
    "nonPositiveInteger", "normalizedString", "numeric", "ordered", "pattern", "positiveInteger", "second", "short", "string", "time",
    "timezoneOffset", "token", "totalDigits", "unsignedByte", "unsignedInt", "unsignedLong", "unsignedShort", "whiteSpace", "year",
    "yearMonthDuration",
)
