/**
 * The base words of common passwords, which `password-rules.ts` refuses whatever is added around
 * them (case, leet spellings such as `p@ssw0rd`, digits and symbols at either end:
 * `Password1234!`, `Summer2026!`, `Welcome#2027`).
 *
 * Source: written for Elevate, not copied from any published list. It holds the kinds of words that
 * every public analysis of leaked passwords finds at the top, listed here from those patterns
 * rather than from a breach corpus: the word "password" and its spellings; greetings and phrases
 * (`welcome`, `letmein`, `iloveyou`); default and administrative words (`admin`, `changeme`,
 * `default`); seasons, months and weekdays (the stem of `Summer2026!`); sports, teams' nouns,
 * animals, colours, superheroes and fantasy words; very common first names; well-known brands and
 * products people are asked to protect, Microsoft's and Elevate's own names included; and keyboard
 * walks written as words. Character sequences and repetitions (`abcdefghijkl`, `aaaaaaaaaaaa`,
 * `1q2w3e4r5t6y`) are found by rule, not listed. Lower case letters only: the rules fold what they
 * check to that form before looking a word up. Add words freely; keep them lower-case a–z.
 */
const WORDS = `
password passwort passwd passcode passphrase pass pword secret secrets topsecret private
welcome welcomehome hello helloworld hithere letmein letmeinnow openup opensesame trustno trustnoone
iloveyou iloveu loveyou lovely love lover loving mylove ilovemylife ilovemyself iloveme ilovemydog
ilovemycat ilovemykids iloveyouforever foreveryoung forever always together whatever nothing
something anything everything somebody nobody
admin administrator administrador root superuser sysadmin sysop operator manager supervisor owner
master masterkey masterpassword login logon signin access accessgranted default changeme changeit
newpassword oldpassword mypassword yourpassword thepassword temppassword temp temporary test
testing tester testtest demo sample example guest user username userpass public system server
service support helpdesk security secure insecure firewall network internet computer laptop
desktop office company corporate business enterprise account accounts finance payroll
database oracle mysql postgres sqlserver backup monitor console portal intranet
elevate elevatepim elevateadmin privileged privilege identity pim governance compliance audit
microsoft windows azure entra office outlook teams sharepoint exchange onedrive xbox msn live
google gmail youtube android apple iphone ipad macbook samsung facebook instagram twitter linkedin
amazon netflix spotify adobe cisco linux ubuntu debian redhat github gitlab docker kubernetes
qwerty qwertyuiop qwertyui qwertz azerty asdfgh asdfghjkl asdfasdf zxcvbn zxcvbnm qazwsx qazwsxedc
wsxedc edcrfv poiuytrewq lkjhgfdsa mnbvcxz abcdef abcdefg abcdefgh abcabc abcxyz xyz
spring summer autumn fall winter springtime summertime wintertime season seasons
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday weekend holiday vacation christmas
easter halloween newyear birthday happybirthday happy goodluck goodday goodnight goodmorning
football soccer baseball basketball hockey tennis golf cricket rugby volleyball boxing racing
running cycling swimming skating surfing skiing fishing hunting hunter ranger rangers player
players champion champions winner winners victory goal score team teamwork
liverpool arsenal chelsea barcelona madrid realmadrid juventus manchester united city lakers
yankees cowboys steelers eagles patriots packers bulls celtics warriors
dragon dragons monkey tiger tigers lion lions bear bears wolf wolves eagle falcon hawk phoenix
shark dolphin whale horse horses pony unicorn panther jaguar cheetah leopard panda puppy kitty
kitten doggy doggie dog dogs cat cats bunny rabbit turtle snake cobra viper spider butterfly
bird birdie duck chicken cowboy
red blue green yellow orange purple pink black white silver golden gold diamond ruby emerald
crystal pearl rainbow sunshine sunset sunrise moonlight starlight shadow shadows midnight
thunder lightning storm hurricane tornado blizzard snow snowflake ocean river mountain forest
flower flowers rose roses daisy lily tulip cherry apple banana mango peach strawberry lemon
chocolate candy cookie cookies cupcake sugar honey sweet sweetie sweetheart darling baby babygirl
babyboy princess prince queen king kingdom angel angels devil heaven hell paradise
superman batman spiderman ironman hulk thor captain wonderwoman superstar rockstar starwars
jedi yoda vader skywalker pokemon pikachu mario zelda minecraft fortnite roblox matrix neo
hogwarts harrypotter gandalf frodo hobbit naruto goku simpsons
magic wizard warrior knight ninja samurai pirate soldier legend legends hero heroes
freedom liberty justice peace faith hope trust believe blessed blessing jesus christ jesuschrist
god godisgood lord amen church grace glory destiny dream dreams dreamer
money cash rich million billion dollar euro bitcoin crypto lucky fortune success
music guitar piano rock metal jazz blues reggae dance dancer singer
computer gaming gamer game games player1 level
michael jennifer jessica ashley amanda joshua matthew daniel david james robert john joseph
andrew christopher justin william thomas charles anthony mark steven kevin brian george edward
richard charlie jordan taylor morgan alex alexander alexandra sarah emily emma olivia sophia
isabella mia charlotte amelia harper evelyn abigail elizabeth victoria natalie hannah samantha
rachel nicole michelle melissa stephanie heather lauren megan andrea maria anna laura julia
peter paul martin lucas louis leo max oliver henry jack harry george sam ben tom tim mike
nick chris matt dan dave steve joe bob bill jim ted eric adam ryan kyle tyler austin brandon
buster bailey buddy rocky lucky max molly maggie sadie coco lola bella luna daisy ginger pepper
jasmine diamond cheese pizza pasta burger coffee tea beer whisky vodka tequila
letsgo letmeinplease comeon getin goaway keepout nopassword nothingtosee noaccess
abc
`;

/** The base words, lower-case a–z, for constant-time lookups. */
export const COMMON_PASSWORD_WORDS: ReadonlySet<string> = new Set(
  WORDS.split(/\s+/).filter((word) => /^[a-z]+$/.test(word)),
);
