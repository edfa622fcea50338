/**
 * Curated photographic details the simulated enhancer picks from. An intent fills only the
 * slots it has an opinion about; the rest come from the next matching intent, then `GENERAL`.
 */
export type Slot = 'setting' | 'lighting' | 'lens' | 'style' | 'finish';

export interface Intent {
  name: string;
  /** Lower-case words or phrases, matched on word boundaries. */
  keywords: string[];
  details: Partial<Record<Slot, string[]>>;
}

/** Slots in the order they are appended to the prompt. */
export const SLOTS: readonly Slot[] = ['setting', 'lighting', 'lens', 'style', 'finish'];

/** Highest priority first: time of day decides the light before the place does. */
export const INTENTS: readonly Intent[] = [
  {
    name: 'night',
    keywords: ['night', 'nighttime', 'midnight', 'neon', 'moonlight', 'moonlit', 'evening', 'nightlife'],
    details: {
      lighting: ['neon signs casting a magenta and cyan glow', 'warm street lamps with soft city bokeh', 'cool moonlight with a warm practical accent', 'glowing shop-window light against the dark'],
    },
  },
  {
    name: 'golden-hour',
    keywords: ['sunset', 'sunrise', 'golden hour', 'dusk', 'dawn', 'twilight'],
    details: {
      lighting: ['warm golden-hour sunlight with a soft rim light', 'low sun backlighting with a gentle lens flare', 'soft pastel dusk light', 'warm sunset glow wrapping around the face'],
    },
  },
  {
    name: 'headshot',
    keywords: ['headshot', 'head shot', 'linkedin', 'corporate', 'professional', 'business', 'resume', 'cv', 'profile picture', 'profile photo', 'executive'],
    details: {
      setting: ['clean light-grey seamless studio backdrop', 'softly blurred modern office background', 'neutral off-white backdrop with a subtle gradient', 'blurred glass-walled office interior'],
      lighting: ['soft diffused key light with a gentle fill and a subtle hair light', 'large softbox key light at 45 degrees with soft fill', 'even window light with a white reflector fill', 'butterfly lighting from a soft beauty dish'],
      lens: ['85mm portrait lens at f/2.8, head-and-shoulders framing', '105mm lens at f/4, head-and-shoulders framing', '70-200mm lens at 135mm, f/2.8', '85mm lens at f/2, eye-level framing'],
      style: ['professional corporate headshot style', 'polished LinkedIn profile photo style', 'approachable executive portrait style', 'clean modern business portrait style'],
    },
  },
  {
    name: 'wedding',
    keywords: ['wedding', 'bride', 'groom', 'bridal', 'engagement'],
    details: {
      setting: ['elegant garden ceremony with soft florals in the background', 'sunlit chapel aisle with blurred guests', 'rustic barn venue with string lights', 'grand ballroom with warm chandeliers'],
      lighting: ['soft romantic backlight with a gentle lens flare', 'warm natural light with creamy highlights', 'soft diffused window light', 'glowing golden-hour light'],
      lens: ['50mm lens at f/1.4 with dreamy bokeh', '85mm lens at f/1.8', '35mm lens at f/2, candid framing', '135mm lens at f/2 with a compressed background'],
      style: ['fine-art wedding photography style', 'timeless romantic editorial style', 'candid documentary wedding style', 'light and airy film look'],
    },
  },
  {
    name: 'studio',
    keywords: ['studio', 'backdrop', 'seamless'],
    details: {
      setting: ['seamless paper backdrop in muted charcoal', 'clean white cyclorama', 'textured hand-painted canvas backdrop', 'solid deep-teal backdrop'],
      lighting: ['three-point studio lighting with softboxes', 'single large octabox key light with soft falloff', 'clamshell beauty lighting', 'strip-light rim with a soft key'],
    },
  },
  {
    name: 'cinematic',
    keywords: ['cinematic', 'film still', 'movie', 'film', 'noir', 'blockbuster', 'anamorphic'],
    details: {
      lighting: ['moody low-key lighting with strong contrast', 'motivated practical lights with a teal and orange grade', 'dramatic side light with deep shadows', 'soft volumetric haze with backlight'],
      lens: ['anamorphic 40mm lens with oval bokeh', '35mm cinema lens at T2', '50mm anamorphic lens with subtle flares', '75mm cinema prime at T1.8'],
      style: ['cinematic film still with a widescreen composition', 'movie still with rich film grain', 'neo-noir cinematic style', 'epic blockbuster color grading'],
    },
  },
  {
    name: 'fashion',
    keywords: ['fashion', 'editorial', 'vogue', 'runway', 'streetwear', 'outfit', 'lookbook'],
    details: {
      lighting: ['crisp beauty-dish key light', 'hard direct flash with bold shadows', 'soft overcast light'],
      lens: ['85mm lens at f/2', '50mm lens at f/2.8, full-length framing', '70mm lens at f/4'],
      style: ['high-fashion editorial style', 'magazine cover style', 'modern streetwear lookbook style'],
    },
  },
  {
    name: 'beach',
    keywords: ['beach', 'ocean', 'sea', 'seaside', 'coast', 'shore', 'surf', 'surfing', 'tropical'],
    details: {
      setting: ['sandy shoreline with gentle waves behind', 'turquoise water and a wide sandy beach', 'windswept dunes by the sea', 'soft sand and rolling surf behind'],
      lighting: ['bright natural sunlight with soft fill from the sand', 'warm late-afternoon sun', 'soft overcast coastal light', 'sparkling backlight off the water'],
      style: ['relaxed summer lifestyle photography', 'vibrant travel editorial style', 'airy coastal lifestyle look', 'sun-washed film look'],
    },
  },
  {
    name: 'city',
    keywords: ['city', 'street', 'urban', 'downtown', 'rooftop', 'skyline', 'alley', 'new york', 'paris', 'tokyo', 'london'],
    details: {
      setting: ['busy downtown street with blurred pedestrians', 'rooftop overlooking the city skyline', 'narrow cobblestone street', 'modern glass-and-steel architecture'],
      lighting: ['soft light reflected off glass facades', 'overcast urban daylight', 'dappled sunlight between buildings', 'warm side light from a low sun between buildings'],
      style: ['urban street-style photography', 'modern lifestyle editorial style', 'candid street photography look', 'travel magazine style'],
    },
  },
  {
    name: 'mountains',
    keywords: ['mountain', 'mountains', 'hiking', 'hike', 'alpine', 'summit', 'trail'],
    details: {
      setting: ['alpine trail with distant snow-capped peaks', 'rocky ridge above a misty valley', 'mountain lake with peaks behind', 'pine-lined trail with a wide valley view'],
      lighting: ['crisp morning light with a light mist', 'bright high-altitude sunlight with soft shadows', 'soft overcast mountain light', 'warm afternoon sun raking across the slopes'],
    },
  },
  {
    name: 'nature',
    keywords: ['forest', 'woods', 'park', 'garden', 'lake', 'meadow', 'nature', 'countryside', 'outdoors'],
    details: {
      setting: ['lush forest with soft green bokeh', 'wildflower meadow', 'calm lake shore with distant hills', 'leafy park path with soft greenery'],
      lighting: ['soft dappled light through the trees', 'soft overcast daylight', 'gentle morning light', 'warm afternoon sun'],
    },
  },
  {
    name: 'portrait',
    keywords: ['portrait', 'close-up', 'closeup', 'face', 'selfie'],
    details: {
      lighting: ['soft window light from the side', 'Rembrandt lighting with a soft key', 'soft natural light with a gentle reflector fill', 'open shade with even, flattering light'],
      lens: ['85mm lens at f/1.8 with shallow depth of field', '50mm lens at f/2', '105mm lens at f/2.8', '135mm lens at f/2 with creamy bokeh'],
    },
  },
];

export const GENERAL: Record<Slot, string[]> = {
  setting: ['softly blurred natural background', 'clean uncluttered background', 'tasteful environment with depth', 'simple background with gentle depth'],
  lighting: ['soft natural light', 'soft diffused daylight', 'balanced natural light with gentle shadows', 'warm ambient light'],
  lens: ['50mm lens at f/2', '85mm lens at f/2.2', '35mm lens at f/2.8', '50mm lens at f/1.8 with shallow depth of field'],
  style: ['natural lifestyle photography', 'editorial photography', 'modern documentary style', 'clean contemporary photography'],
  finish: ['sharp focus on the eyes, natural skin texture, true-to-life colors', 'high detail, natural skin texture, subtle film grain', 'crisp detail, realistic skin tones, photorealistic', 'sharp focus, lifelike detail, natural color grading'],
};
