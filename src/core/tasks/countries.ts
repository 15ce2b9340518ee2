/**
 * Country data for the country tasks (capital, continent, upper-case name,
 * ISO 4217 currency). Checked against the state of the world in late 2026.
 *
 * Coverage: the 193 UN member states. The two UN observer states are left out
 * on purpose: Palestine has no undisputed capital and the Holy See's entry
 * would only add a second "capital = name" case.
 *
 * Names: common English short names, ASCII only (diacritics folded), so every
 * name and capital is a single printable-ASCII line without `->`, `=`, `:` or
 * tabs (the name is the task input, the capital a task output).
 * - Current official short forms where English usage has switched: Czechia,
 *   Eswatini, North Macedonia, Cabo Verde, Timor-Leste, Myanmar.
 * - "Turkey", not "Türkiye": ASCII, and the form models have mostly seen.
 * - "Cote d'Ivoire" and "Sao Tome and Principe": the UN short names with the
 *   diacritics folded.
 * - Plain short forms elsewhere (Russia, Syria, Iran, Laos, Vietnam, Bolivia,
 *   Tanzania, Moldova, Brunei, Micronesia, Gambia, Bahamas, North/South Korea);
 *   "United States of America" as in the paper's data; the two Congos are
 *   "Republic of the Congo" and "Democratic Republic of the Congo".
 *
 * Capitals: one answer each, ASCII (Bogota, Brasilia, Yaounde, Asuncion, Lome,
 * Reykjavik, Male, San Jose, Chisinau, Sao Tome, Sana'a, Nuku'alofa).
 * - Bolivia → Sucre (constitutional capital; the paper's data has "La Paz, Sucre").
 * - South Africa → Pretoria (executive capital).
 * - Cote d'Ivoire → Yamoussoukro (official; Abidjan is the economic capital).
 * - Sri Lanka → Sri Jayawardenepura Kotte (official; Colombo is commercial).
 * - Burundi → Gitega (political capital since 2019).
 * - Equatorial Guinea → Ciudad de la Paz (decreed capital since 3 January 2026;
 *   models trained before 2026 will answer Malabo).
 * - Israel → Jerusalem (the seat of government; recognition is limited).
 * - Nauru → Yaren (de facto; no official capital).
 * - Kiribati → Tarawa; Indonesia → Jakarta (Nusantara not yet decreed).
 * - United States of America → "Washington, D.C.".
 * - Djibouti, Luxembourg, Monaco, San Marino and Singapore: capital = name.
 *
 * Continents: six labels. UN M49 (geoscheme) regions, with the Americas split
 * into South America (the M49 sub-region, 12 states) and North America
 * (Northern America, Central America and the Caribbean). Hence Russia →
 * Europe (also the paper's convention), Turkey, Cyprus, Georgia, Armenia,
 * Azerbaijan and Kazakhstan → Asia, Egypt → Africa.
 *
 * Currencies: the ISO 4217 code of the main legal tender (Bulgaria EUR since
 * 1 January 2026, Croatia EUR, Zimbabwe ZWG, Sierra Leone SLE, Venezuela VES,
 * Mauritania MRU, Sao Tome and Principe STN; dollarised states USD; Montenegro
 * EUR; Panama PAB; Kiribati, Nauru and Tuvalu AUD; Liechtenstein CHF).
 * Syria keeps SYP: the pound was redenominated (100:1) on 1 January 2026 and
 * whether ISO 4217 assigned the new pound a new code was not verified.
 */

export const CONTINENTS = ['Africa', 'Asia', 'Europe', 'North America', 'South America', 'Oceania'] as const;

export type Continent = (typeof CONTINENTS)[number];

export interface Country {
  name: string;
  capital: string;
  continent: Continent;
  /** ISO 4217 code. */
  currency: string;
}

function c(name: string, capital: string, continent: Continent, currency: string): Country {
  return Object.freeze({ name, capital, continent, currency });
}

export const COUNTRIES: readonly Country[] = Object.freeze([
  // Africa (54)
  c('Algeria', 'Algiers', 'Africa', 'DZD'),
  c('Angola', 'Luanda', 'Africa', 'AOA'),
  c('Benin', 'Porto-Novo', 'Africa', 'XOF'),
  c('Botswana', 'Gaborone', 'Africa', 'BWP'),
  c('Burkina Faso', 'Ouagadougou', 'Africa', 'XOF'),
  c('Burundi', 'Gitega', 'Africa', 'BIF'),
  c('Cabo Verde', 'Praia', 'Africa', 'CVE'),
  c('Cameroon', 'Yaounde', 'Africa', 'XAF'),
  c('Central African Republic', 'Bangui', 'Africa', 'XAF'),
  c('Chad', "N'Djamena", 'Africa', 'XAF'),
  c('Comoros', 'Moroni', 'Africa', 'KMF'),
  c("Cote d'Ivoire", 'Yamoussoukro', 'Africa', 'XOF'),
  c('Democratic Republic of the Congo', 'Kinshasa', 'Africa', 'CDF'),
  c('Djibouti', 'Djibouti', 'Africa', 'DJF'),
  c('Egypt', 'Cairo', 'Africa', 'EGP'),
  c('Equatorial Guinea', 'Ciudad de la Paz', 'Africa', 'XAF'),
  c('Eritrea', 'Asmara', 'Africa', 'ERN'),
  c('Eswatini', 'Mbabane', 'Africa', 'SZL'),
  c('Ethiopia', 'Addis Ababa', 'Africa', 'ETB'),
  c('Gabon', 'Libreville', 'Africa', 'XAF'),
  c('Gambia', 'Banjul', 'Africa', 'GMD'),
  c('Ghana', 'Accra', 'Africa', 'GHS'),
  c('Guinea', 'Conakry', 'Africa', 'GNF'),
  c('Guinea-Bissau', 'Bissau', 'Africa', 'XOF'),
  c('Kenya', 'Nairobi', 'Africa', 'KES'),
  c('Lesotho', 'Maseru', 'Africa', 'LSL'),
  c('Liberia', 'Monrovia', 'Africa', 'LRD'),
  c('Libya', 'Tripoli', 'Africa', 'LYD'),
  c('Madagascar', 'Antananarivo', 'Africa', 'MGA'),
  c('Malawi', 'Lilongwe', 'Africa', 'MWK'),
  c('Mali', 'Bamako', 'Africa', 'XOF'),
  c('Mauritania', 'Nouakchott', 'Africa', 'MRU'),
  c('Mauritius', 'Port Louis', 'Africa', 'MUR'),
  c('Morocco', 'Rabat', 'Africa', 'MAD'),
  c('Mozambique', 'Maputo', 'Africa', 'MZN'),
  c('Namibia', 'Windhoek', 'Africa', 'NAD'),
  c('Niger', 'Niamey', 'Africa', 'XOF'),
  c('Nigeria', 'Abuja', 'Africa', 'NGN'),
  c('Republic of the Congo', 'Brazzaville', 'Africa', 'XAF'),
  c('Rwanda', 'Kigali', 'Africa', 'RWF'),
  c('Sao Tome and Principe', 'Sao Tome', 'Africa', 'STN'),
  c('Senegal', 'Dakar', 'Africa', 'XOF'),
  c('Seychelles', 'Victoria', 'Africa', 'SCR'),
  c('Sierra Leone', 'Freetown', 'Africa', 'SLE'),
  c('Somalia', 'Mogadishu', 'Africa', 'SOS'),
  c('South Africa', 'Pretoria', 'Africa', 'ZAR'),
  c('South Sudan', 'Juba', 'Africa', 'SSP'),
  c('Sudan', 'Khartoum', 'Africa', 'SDG'),
  c('Tanzania', 'Dodoma', 'Africa', 'TZS'),
  c('Togo', 'Lome', 'Africa', 'XOF'),
  c('Tunisia', 'Tunis', 'Africa', 'TND'),
  c('Uganda', 'Kampala', 'Africa', 'UGX'),
  c('Zambia', 'Lusaka', 'Africa', 'ZMW'),
  c('Zimbabwe', 'Harare', 'Africa', 'ZWG'),

  // Asia (47)
  c('Afghanistan', 'Kabul', 'Asia', 'AFN'),
  c('Armenia', 'Yerevan', 'Asia', 'AMD'),
  c('Azerbaijan', 'Baku', 'Asia', 'AZN'),
  c('Bahrain', 'Manama', 'Asia', 'BHD'),
  c('Bangladesh', 'Dhaka', 'Asia', 'BDT'),
  c('Bhutan', 'Thimphu', 'Asia', 'BTN'),
  c('Brunei', 'Bandar Seri Begawan', 'Asia', 'BND'),
  c('Cambodia', 'Phnom Penh', 'Asia', 'KHR'),
  c('China', 'Beijing', 'Asia', 'CNY'),
  c('Cyprus', 'Nicosia', 'Asia', 'EUR'),
  c('Georgia', 'Tbilisi', 'Asia', 'GEL'),
  c('India', 'New Delhi', 'Asia', 'INR'),
  c('Indonesia', 'Jakarta', 'Asia', 'IDR'),
  c('Iran', 'Tehran', 'Asia', 'IRR'),
  c('Iraq', 'Baghdad', 'Asia', 'IQD'),
  c('Israel', 'Jerusalem', 'Asia', 'ILS'),
  c('Japan', 'Tokyo', 'Asia', 'JPY'),
  c('Jordan', 'Amman', 'Asia', 'JOD'),
  c('Kazakhstan', 'Astana', 'Asia', 'KZT'),
  c('Kuwait', 'Kuwait City', 'Asia', 'KWD'),
  c('Kyrgyzstan', 'Bishkek', 'Asia', 'KGS'),
  c('Laos', 'Vientiane', 'Asia', 'LAK'),
  c('Lebanon', 'Beirut', 'Asia', 'LBP'),
  c('Malaysia', 'Kuala Lumpur', 'Asia', 'MYR'),
  c('Maldives', 'Male', 'Asia', 'MVR'),
  c('Mongolia', 'Ulaanbaatar', 'Asia', 'MNT'),
  c('Myanmar', 'Naypyidaw', 'Asia', 'MMK'),
  c('Nepal', 'Kathmandu', 'Asia', 'NPR'),
  c('North Korea', 'Pyongyang', 'Asia', 'KPW'),
  c('Oman', 'Muscat', 'Asia', 'OMR'),
  c('Pakistan', 'Islamabad', 'Asia', 'PKR'),
  c('Philippines', 'Manila', 'Asia', 'PHP'),
  c('Qatar', 'Doha', 'Asia', 'QAR'),
  c('Saudi Arabia', 'Riyadh', 'Asia', 'SAR'),
  c('Singapore', 'Singapore', 'Asia', 'SGD'),
  c('South Korea', 'Seoul', 'Asia', 'KRW'),
  c('Sri Lanka', 'Sri Jayawardenepura Kotte', 'Asia', 'LKR'),
  c('Syria', 'Damascus', 'Asia', 'SYP'),
  c('Tajikistan', 'Dushanbe', 'Asia', 'TJS'),
  c('Thailand', 'Bangkok', 'Asia', 'THB'),
  c('Timor-Leste', 'Dili', 'Asia', 'USD'),
  c('Turkey', 'Ankara', 'Asia', 'TRY'),
  c('Turkmenistan', 'Ashgabat', 'Asia', 'TMT'),
  c('United Arab Emirates', 'Abu Dhabi', 'Asia', 'AED'),
  c('Uzbekistan', 'Tashkent', 'Asia', 'UZS'),
  c('Vietnam', 'Hanoi', 'Asia', 'VND'),
  c('Yemen', "Sana'a", 'Asia', 'YER'),

  // Europe (43)
  c('Albania', 'Tirana', 'Europe', 'ALL'),
  c('Andorra', 'Andorra la Vella', 'Europe', 'EUR'),
  c('Austria', 'Vienna', 'Europe', 'EUR'),
  c('Belarus', 'Minsk', 'Europe', 'BYN'),
  c('Belgium', 'Brussels', 'Europe', 'EUR'),
  c('Bosnia and Herzegovina', 'Sarajevo', 'Europe', 'BAM'),
  c('Bulgaria', 'Sofia', 'Europe', 'EUR'),
  c('Croatia', 'Zagreb', 'Europe', 'EUR'),
  c('Czechia', 'Prague', 'Europe', 'CZK'),
  c('Denmark', 'Copenhagen', 'Europe', 'DKK'),
  c('Estonia', 'Tallinn', 'Europe', 'EUR'),
  c('Finland', 'Helsinki', 'Europe', 'EUR'),
  c('France', 'Paris', 'Europe', 'EUR'),
  c('Germany', 'Berlin', 'Europe', 'EUR'),
  c('Greece', 'Athens', 'Europe', 'EUR'),
  c('Hungary', 'Budapest', 'Europe', 'HUF'),
  c('Iceland', 'Reykjavik', 'Europe', 'ISK'),
  c('Ireland', 'Dublin', 'Europe', 'EUR'),
  c('Italy', 'Rome', 'Europe', 'EUR'),
  c('Latvia', 'Riga', 'Europe', 'EUR'),
  c('Liechtenstein', 'Vaduz', 'Europe', 'CHF'),
  c('Lithuania', 'Vilnius', 'Europe', 'EUR'),
  c('Luxembourg', 'Luxembourg', 'Europe', 'EUR'),
  c('Malta', 'Valletta', 'Europe', 'EUR'),
  c('Moldova', 'Chisinau', 'Europe', 'MDL'),
  c('Monaco', 'Monaco', 'Europe', 'EUR'),
  c('Montenegro', 'Podgorica', 'Europe', 'EUR'),
  c('Netherlands', 'Amsterdam', 'Europe', 'EUR'),
  c('North Macedonia', 'Skopje', 'Europe', 'MKD'),
  c('Norway', 'Oslo', 'Europe', 'NOK'),
  c('Poland', 'Warsaw', 'Europe', 'PLN'),
  c('Portugal', 'Lisbon', 'Europe', 'EUR'),
  c('Romania', 'Bucharest', 'Europe', 'RON'),
  c('Russia', 'Moscow', 'Europe', 'RUB'),
  c('San Marino', 'San Marino', 'Europe', 'EUR'),
  c('Serbia', 'Belgrade', 'Europe', 'RSD'),
  c('Slovakia', 'Bratislava', 'Europe', 'EUR'),
  c('Slovenia', 'Ljubljana', 'Europe', 'EUR'),
  c('Spain', 'Madrid', 'Europe', 'EUR'),
  c('Sweden', 'Stockholm', 'Europe', 'SEK'),
  c('Switzerland', 'Bern', 'Europe', 'CHF'),
  c('Ukraine', 'Kyiv', 'Europe', 'UAH'),
  c('United Kingdom', 'London', 'Europe', 'GBP'),

  // North America (23)
  c('Antigua and Barbuda', "Saint John's", 'North America', 'XCD'),
  c('Bahamas', 'Nassau', 'North America', 'BSD'),
  c('Barbados', 'Bridgetown', 'North America', 'BBD'),
  c('Belize', 'Belmopan', 'North America', 'BZD'),
  c('Canada', 'Ottawa', 'North America', 'CAD'),
  c('Costa Rica', 'San Jose', 'North America', 'CRC'),
  c('Cuba', 'Havana', 'North America', 'CUP'),
  c('Dominica', 'Roseau', 'North America', 'XCD'),
  c('Dominican Republic', 'Santo Domingo', 'North America', 'DOP'),
  c('El Salvador', 'San Salvador', 'North America', 'USD'),
  c('Grenada', "Saint George's", 'North America', 'XCD'),
  c('Guatemala', 'Guatemala City', 'North America', 'GTQ'),
  c('Haiti', 'Port-au-Prince', 'North America', 'HTG'),
  c('Honduras', 'Tegucigalpa', 'North America', 'HNL'),
  c('Jamaica', 'Kingston', 'North America', 'JMD'),
  c('Mexico', 'Mexico City', 'North America', 'MXN'),
  c('Nicaragua', 'Managua', 'North America', 'NIO'),
  c('Panama', 'Panama City', 'North America', 'PAB'),
  c('Saint Kitts and Nevis', 'Basseterre', 'North America', 'XCD'),
  c('Saint Lucia', 'Castries', 'North America', 'XCD'),
  c('Saint Vincent and the Grenadines', 'Kingstown', 'North America', 'XCD'),
  c('Trinidad and Tobago', 'Port of Spain', 'North America', 'TTD'),
  c('United States of America', 'Washington, D.C.', 'North America', 'USD'),

  // South America (12)
  c('Argentina', 'Buenos Aires', 'South America', 'ARS'),
  c('Bolivia', 'Sucre', 'South America', 'BOB'),
  c('Brazil', 'Brasilia', 'South America', 'BRL'),
  c('Chile', 'Santiago', 'South America', 'CLP'),
  c('Colombia', 'Bogota', 'South America', 'COP'),
  c('Ecuador', 'Quito', 'South America', 'USD'),
  c('Guyana', 'Georgetown', 'South America', 'GYD'),
  c('Paraguay', 'Asuncion', 'South America', 'PYG'),
  c('Peru', 'Lima', 'South America', 'PEN'),
  c('Suriname', 'Paramaribo', 'South America', 'SRD'),
  c('Uruguay', 'Montevideo', 'South America', 'UYU'),
  c('Venezuela', 'Caracas', 'South America', 'VES'),

  // Oceania (14)
  c('Australia', 'Canberra', 'Oceania', 'AUD'),
  c('Fiji', 'Suva', 'Oceania', 'FJD'),
  c('Kiribati', 'Tarawa', 'Oceania', 'AUD'),
  c('Marshall Islands', 'Majuro', 'Oceania', 'USD'),
  c('Micronesia', 'Palikir', 'Oceania', 'USD'),
  c('Nauru', 'Yaren', 'Oceania', 'AUD'),
  c('New Zealand', 'Wellington', 'Oceania', 'NZD'),
  c('Palau', 'Ngerulmud', 'Oceania', 'USD'),
  c('Papua New Guinea', 'Port Moresby', 'Oceania', 'PGK'),
  c('Samoa', 'Apia', 'Oceania', 'WST'),
  c('Solomon Islands', 'Honiara', 'Oceania', 'SBD'),
  c('Tonga', "Nuku'alofa", 'Oceania', 'TOP'),
  c('Tuvalu', 'Funafuti', 'Oceania', 'AUD'),
  c('Vanuatu', 'Port Vila', 'Oceania', 'VUV'),
]);

const BY_NAME: ReadonlyMap<string, Country> = new Map(COUNTRIES.map((country) => [country.name, country]));

/** The country with exactly this name (case-sensitive, no trimming), else undefined. */
export function findCountry(name: string): Country | undefined {
  return BY_NAME.get(name);
}
